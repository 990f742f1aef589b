import type { Kysely, Selectable, Transaction } from 'kysely';
import type { IngestFileStatus, IngestFileTable, LandingKind, WarehouseDb } from './schema.ts';

type Db = Kysely<WarehouseDb> | Transaction<WarehouseDb>;
export type LedgerEntry = Selectable<IngestFileTable>;

/** Statuses after which a file version is settled: a later run does not touch it again. */
export const SETTLED_STATUSES: readonly IngestFileStatus[] = ['loaded', 'duplicate', 'rejected'];

/**
 * The ingest ledger (`ingest_file`): one row per version (content hash) of every landing file.
 * It is what makes `pickwise ingest` idempotent.
 */
export class LedgerRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  /** The entry for this exact file version (same key, same content), if any. */
  findVersion(objectKey: string, sha256: string): Promise<LedgerEntry | undefined> {
    return this.#db.selectFrom('ingestFile').selectAll().where('sha256', '=', sha256).where('objectKey', '=', objectKey).executeTakeFirst();
  }

  /** A settled entry for this key whose recorded etag and size still match: the file is unchanged. */
  findUnchanged(objectKey: string, etag: string, size: number): Promise<LedgerEntry | undefined> {
    return this.#db
      .selectFrom('ingestFile')
      .selectAll()
      .where('objectKey', '=', objectKey)
      .where('sourceEtag', '=', etag)
      .where('sizeBytes', '=', size)
      .where('status', 'in', SETTLED_STATUSES)
      .orderBy('fileId', 'desc')
      .executeTakeFirst();
  }

  /** The file that already loaded this content, under any name. */
  findLoadedContent(sha256: string): Promise<LedgerEntry | undefined> {
    return this.#db.selectFrom('ingestFile').selectAll().where('sha256', '=', sha256).where('status', '=', 'loaded').orderBy('fileId').executeTakeFirst();
  }

  async insert(entry: {
    objectKey: string; sha256: string; sizeBytes: number; sourceEtag: string; kind: LandingKind | 'unknown';
    status: IngestFileStatus; detectedAt: string; message?: string | null; duplicateOfFileId?: number | null;
  }): Promise<number> {
    const result = await this.#db
      .insertInto('ingestFile')
      .values({
        objectKey: entry.objectKey,
        sha256: entry.sha256,
        sizeBytes: entry.sizeBytes,
        sourceEtag: entry.sourceEtag,
        kind: entry.kind,
        status: entry.status,
        rowsTotal: 0,
        rowsOk: 0,
        rowsRejected: 0,
        rejectsByCode: '{}',
        backupKey: null,
        quarantineKey: null,
        duplicateOfFileId: entry.duplicateOfFileId ?? null,
        message: entry.message ?? null,
        detectedAt: entry.detectedAt,
        startedAt: null,
        finishedAt: null,
      })
      .executeTakeFirstOrThrow();
    return Number(result.insertId);
  }

  async update(fileId: number, patch: Partial<Omit<LedgerEntry, 'fileId'>>): Promise<void> {
    await this.#db.updateTable('ingestFile').set(patch).where('fileId', '=', fileId).execute();
  }

  /** Every entry, newest first. */
  list(limit = 1000): Promise<LedgerEntry[]> {
    return this.#db.selectFrom('ingestFile').selectAll().orderBy('fileId', 'desc').limit(limit).execute();
  }
}
