import { randomBytes } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { IngestFileStatus, IngestFileTable, LandingKind, WarehouseDb } from './schema.ts';

type Db = Kysely<WarehouseDb> | Transaction<WarehouseDb>;
export type LedgerEntry = Selectable<IngestFileTable>;

/** Statuses after which a file version is settled: a later run does not touch it again. */
export const SETTLED_STATUSES: readonly IngestFileStatus[] = ['loaded', 'duplicate', 'rejected'];
/** Statuses of an attempt that did not finish: its transaction never committed, so no row refers to it. */
const UNSETTLED_STATUSES: readonly IngestFileStatus[] = ['loading', 'failed'];

/**
 * The `sha256` of an attempt whose content has not been hashed yet: the hash comes from the same read as the
 * load, at its end. Unique per attempt (the ledger's key is sha256 + object key) and never a hex digest.
 */
function pendingHash(): string {
  return `pending:${randomBytes(28).toString('hex')}`;
}

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

  findUnchangedQuery(objectKey: string, etag: string, size: number) {
    return this.#db
      .selectFrom('ingestFile')
      .selectAll()
      .where('objectKey', '=', objectKey)
      .where('sourceEtag', '=', etag)
      .where('sizeBytes', '=', size)
      .where('status', 'in', SETTLED_STATUSES)
      .orderBy('fileId', 'desc');
  }

  /** A settled entry for this key whose recorded etag and size still match: the file is unchanged. */
  findUnchanged(objectKey: string, etag: string, size: number): Promise<LedgerEntry | undefined> {
    return this.findUnchangedQuery(objectKey, etag, size).executeTakeFirst();
  }

  /** The file that already loaded this content, under any name. */
  findLoadedContent(sha256: string): Promise<LedgerEntry | undefined> {
    return this.#db.selectFrom('ingestFile').selectAll().where('sha256', '=', sha256).where('status', '=', 'loaded').orderBy('fileId').executeTakeFirst();
  }

  async insert(entry: {
    objectKey: string;
    sha256: string;
    sizeBytes: number;
    sourceEtag: string;
    kind: LandingKind | 'unknown';
    status: IngestFileStatus;
    detectedAt: string;
    startedAt?: string | null;
    message?: string | null;
    duplicateOfFileId?: number | null;
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
        startedAt: entry.startedAt ?? null,
        finishedAt: null,
      })
      .executeTakeFirstOrThrow();
    return Number(result.insertId);
  }

  /**
   * Starts an attempt at loading `objectKey`: the latest unfinished attempt of that key (interrupted or failed,
   * which holds no data) is taken over, otherwise a new entry is made; either is `loading`, with its hash
   * pending until the read ends. Returns the entry's file id, which the loaded rows reference.
   */
  async beginAttempt(entry: { objectKey: string; sizeBytes: number; sourceEtag: string; kind: LandingKind | 'unknown'; detectedAt: string }): Promise<number> {
    const unfinished = await this.#db
      .selectFrom('ingestFile')
      .select('fileId')
      .where('objectKey', '=', entry.objectKey)
      .where('status', 'in', UNSETTLED_STATUSES)
      .orderBy('fileId', 'desc')
      .executeTakeFirst();
    if (unfinished === undefined) return this.insert({ ...entry, sha256: pendingHash(), status: 'loading', startedAt: entry.detectedAt });
    const fileId = Number(unfinished.fileId);
    await this.update(fileId, { ...entry, sha256: pendingHash(), status: 'loading', startedAt: entry.detectedAt, message: null, finishedAt: null });
    return fileId;
  }

  /** Deletes an entry no row refers to (an unfinished attempt). */
  async remove(fileId: number): Promise<void> {
    await this.#db.deleteFrom('ingestFile').where('fileId', '=', fileId).execute();
  }

  async update(fileId: number, patch: Partial<Omit<LedgerEntry, 'fileId'>>): Promise<void> {
    await this.#db.updateTable('ingestFile').set(patch).where('fileId', '=', fileId).execute();
  }

  /** Every entry, newest first. */
  list(limit = 1000): Promise<LedgerEntry[]> {
    return this.#db.selectFrom('ingestFile').selectAll().orderBy('fileId', 'desc').limit(limit).execute();
  }
}
