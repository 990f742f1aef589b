import type { ControlledTransaction } from 'kysely';
import type { IngestConfig } from '../config/index.ts';
import { toUtcText, FileRejectedError, toAppError } from '../shared/index.ts';
import type { Clock } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
import type { ObjectStore } from '../storage/index.ts';
import { LedgerRepo, SETTLED_STATUSES, type Warehouse, type WarehouseDb } from '../warehouse/index.ts';
import { backupKeyFor, quarantineKeyFor, type LandingObject } from './detect.ts';
import type { FeedbackRowStore } from './feedback-row-store.ts';
import { readLandingOnce } from './landing-read.ts';
import { loadLandingFile, type LineCounts, type LoadFileResult } from './load-file.ts';
import { QuarantineFile } from './quarantine-file.ts';

export type FileOutcomeStatus = 'loaded' | 'duplicate' | 'rejected' | 'failed';

/** What happened to one landing file in a run (`pickwise ingest` prints one line per outcome). */
export interface FileOutcome {
  readonly key: string;
  readonly kind: string;
  readonly status: FileOutcomeStatus;
  /** SHA-256 of the bytes read (and loaded, and backed up); absent when the read did not finish. */
  readonly sha256?: string;
  /** Data records read; every one was loaded, a duplicate or quarantined: `rowsTotal = rowsOk + rowsDuplicate + rowsRejected`. */
  readonly rowsTotal: number;
  readonly rowsOk: number;
  /** Feedback rows whose event was stored already (an earlier file, the API, earlier in this file); 0 for other kinds. */
  readonly rowsDuplicate: number;
  readonly rowsRejected: number;
  /** Of `rowsOk`: rows that added a user, service or reservation, and rows that updated one (a status update). */
  readonly rowsNew: number;
  readonly rowsUpdated: number;
  /** Physical lines of a loaded file: `total = header + blank + records`. */
  readonly lines?: LineCounts;
  readonly rejectsByCode: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly backupKey?: string;
  readonly quarantineKey?: string;
  readonly message?: string;
}

export interface IngestFileContext {
  readonly store: ObjectStore;
  readonly warehouse: Warehouse;
  readonly ledger: LedgerRepo;
  readonly config: IngestConfig;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Where the rows of `feedback*.csv` files are stored (required to load them). */
  readonly feedback?: FeedbackRowStore;
  readonly onProgress?: (bytes: number) => void;
}

/**
 * Loads one landing object in its own transaction, from one read that also hashes it and writes its raw backup
 * (see readLandingOnce), so the ledger's hash, the backup and the rows always describe the same bytes. What the
 * hash says is decided before the commit: content already loaded under this key (a touched file) changes
 * nothing; content loaded under another key is a duplicate. Returns undefined when there is nothing to report.
 * A file that fails is recorded as `failed` and reported, never thrown: the files after it still load.
 */
export async function ingestLandingFile(object: LandingObject, ctx: IngestFileContext): Promise<FileOutcome | undefined> {
  const { info, name } = object;
  const { store, config } = ctx;
  if (await ctx.ledger.findUnchanged(info.key, info.etag, info.size)) return undefined; // seen before, same version
  const t0 = performance.now();
  const detectedAt = ctx.clock();
  const kind = object.kind ?? 'unknown';
  const base = { key: info.key, kind, rowsTotal: 0, rowsOk: 0, rowsDuplicate: 0, rowsRejected: 0, rowsNew: 0, rowsUpdated: 0, rejectsByCode: {} };
  const elapsed = (): number => (performance.now() - t0) / 1000;
  const log = ctx.logger.child({ file: info.key });
  const fileId = await ctx.ledger.beginAttempt({ objectKey: info.key, sizeBytes: info.size, sourceEtag: info.etag, kind, detectedAt: toUtcText(detectedAt) });
  const incomingKey = `${config.rawPrefix.replace(/\/?$/, '/')}incoming/${fileId}-${name}`;
  const quarantine = new QuarantineFile();
  let trx: ControlledTransaction<WarehouseDb> | undefined;
  const failed = async (error: unknown): Promise<FileOutcome> => {
    const e = toAppError(error);
    await trx
      ?.rollback()
      .execute()
      .catch(() => undefined);
    const message = `loading ${info.key} failed, nothing of it was kept: ${e.message}`;
    await ctx.ledger.update(fileId, { status: 'failed', message, finishedAt: toUtcText(ctx.clock()) }).catch(() => undefined);
    await store.delete(incomingKey).catch(() => undefined);
    log.error({ err: e }, message);
    return { ...base, status: 'failed', seconds: elapsed(), message };
  };
  try {
    const read = await readLandingOnce(store, info.key, incomingKey);
    trx = await ctx.warehouse.db.startTransaction().execute();
    let loaded: LoadFileResult | undefined;
    let rejected: string | undefined;
    if (object.kind === undefined) {
      read.source.destroy();
      rejected = `'${name}' matches no kind of landing file: names must start with users, services, reservations or feedback and end in .csv`;
    } else {
      try {
        loaded = await loadLandingFile({
          source: read.source,
          trx,
          dialect: ctx.warehouse.dialect,
          label: info.key,
          kind: object.kind,
          fileId,
          now: toUtcText(ctx.clock()),
          rules: { nowMs: detectedAt.getTime(), maxClockSkewMs: config.maxClockSkew * 1000 },
          maxRecordBytes: config.maxRecordBytes,
          quarantine,
          sizeBytes: info.size,
          ...(ctx.feedback ? { feedback: ctx.feedback } : {}),
          ...(ctx.onProgress ? { onProgress: ctx.onProgress } : {}),
        });
      } catch (error) {
        if (!(error instanceof FileRejectedError)) {
          read.abort(error as Error);
          return await failed(error);
        }
        rejected = error.message; // the read goes on: a rejected file is hashed and backed up all the same
      }
    }
    const content = await read.done;
    const decision = await decideByContent(new LedgerRepo(trx), { objectKey: info.key, sha256: content.sha256 });
    if (decision.kind !== 'load') {
      await trx.rollback().execute();
      trx = undefined;
      await store.delete(incomingKey);
      if (decision.stale !== undefined) await ctx.ledger.remove(decision.stale);
      if (decision.kind === 'unchanged') {
        await ctx.ledger.remove(fileId);
        await ctx.ledger.update(decision.fileId, { sourceEtag: info.etag }); // remember the new etag (e.g. a touched file)
        return undefined;
      }
      const message = `same content as ${decision.original.objectKey} (file ${decision.original.fileId}), already loaded; skipped`;
      await ctx.ledger.update(fileId, {
        status: 'duplicate',
        sha256: content.sha256,
        sizeBytes: content.bytes,
        message,
        duplicateOfFileId: decision.original.fileId,
        finishedAt: toUtcText(ctx.clock()),
      });
      log.warn({ duplicateOf: decision.original.objectKey }, 'duplicate file skipped');
      return { ...base, status: 'duplicate', sha256: content.sha256, seconds: elapsed(), message };
    }
    const backupKey = backupKeyFor(config.rawPrefix, detectedAt, content.sha256, name);
    await store.move(incomingKey, backupKey);
    const finishedAt = (): string => toUtcText(ctx.clock());
    // An older unfinished attempt at the same content holds no data: this one takes its place in the ledger.
    if (loaded === undefined) {
      await trx.rollback().execute();
      trx = undefined;
      if (decision.stale !== undefined) await ctx.ledger.remove(decision.stale);
      await ctx.ledger.update(fileId, {
        status: 'rejected',
        sha256: content.sha256,
        sizeBytes: content.bytes,
        backupKey,
        message: rejected ?? null,
        finishedAt: finishedAt(),
      });
      log.warn(rejected ?? 'rejected');
      return { ...base, status: 'rejected', sha256: content.sha256, seconds: elapsed(), backupKey, ...(rejected ? { message: rejected } : {}) };
    }
    const ledger = new LedgerRepo(trx);
    if (decision.stale !== undefined) await ledger.remove(decision.stale);
    // The quarantine file is written before the commit: a committed load always has its rejects.
    const quarantineKey = quarantineKeyFor(config.quarantinePrefix, content.sha256, name);
    const wroteRejects = await quarantine.upload(store, quarantineKey);
    const message =
      loaded.extraColumns.length > 0 ? `extra columns ignored: ${loaded.extraColumns.join(', ')}` : loaded.rowsTotal === 0 ? 'header only: no data rows' : null;
    await ledger.update(fileId, {
      status: 'loaded',
      sha256: content.sha256,
      sizeBytes: content.bytes,
      rowsTotal: loaded.rowsTotal,
      rowsOk: loaded.rowsOk,
      rowsDuplicate: loaded.rowsDuplicate,
      rowsRejected: loaded.rowsRejected,
      rejectsByCode: JSON.stringify(quarantine.byCode()),
      backupKey,
      quarantineKey: wroteRejects ? quarantineKey : null,
      message,
      finishedAt: finishedAt(),
    });
    await trx.commit().execute();
    trx = undefined;
    if (message) log.warn(message);
    log.info(
      {
        kind,
        rowsOk: loaded.rowsOk,
        rowsNew: loaded.rowsNew,
        rowsDuplicate: loaded.rowsDuplicate,
        rowsRejected: loaded.rowsRejected,
        seconds: Math.round(elapsed() * 1000) / 1000,
      },
      'file loaded',
    );
    const { rowsTotal, rowsOk, rowsDuplicate, rowsRejected, rowsNew, rowsUpdated, lines } = loaded;
    return {
      ...base,
      status: 'loaded',
      sha256: content.sha256,
      rowsTotal,
      rowsOk,
      rowsDuplicate,
      rowsRejected,
      rowsNew,
      rowsUpdated,
      lines,
      rejectsByCode: quarantine.byCode(),
      seconds: elapsed(),
      backupKey,
      ...(wroteRejects ? { quarantineKey } : {}),
      ...(message ? { message } : {}),
    };
  } catch (error) {
    return await failed(error);
  } finally {
    await quarantine.dispose();
  }
}

type ContentDecision =
  | { readonly kind: 'load'; readonly stale?: number }
  | { readonly kind: 'unchanged'; readonly fileId: number; readonly stale?: undefined }
  | { readonly kind: 'duplicate'; readonly original: { objectKey: string; fileId: number }; readonly stale?: number };

/**
 * What a file's content hash means, read inside the load's transaction before it commits. Content this key has
 * already settled (the object was touched, or re-uploaded unchanged) is `unchanged`; content loaded under another
 * key is a `duplicate`; anything else loads. `stale` names an unfinished earlier attempt at the same content.
 */
async function decideByContent(ledger: LedgerRepo, o: { objectKey: string; sha256: string }): Promise<ContentDecision> {
  const version = await ledger.findVersion(o.objectKey, o.sha256);
  if (version !== undefined && SETTLED_STATUSES.includes(version.status)) return { kind: 'unchanged', fileId: version.fileId };
  const stale = version?.fileId;
  const original = await ledger.findLoadedContent(o.sha256);
  if (original !== undefined)
    return { kind: 'duplicate', original: { objectKey: original.objectKey, fileId: original.fileId }, ...(stale === undefined ? {} : { stale }) };
  return { kind: 'load', ...(stale === undefined ? {} : { stale }) };
}
