import type { IngestConfig } from '../config/index.ts';
import {
  backupKeyFor, hashObject, listLanding, loadLandingFile, QuarantineFile, quarantineKeyFor, retryQuarantine,
  type LandingObject, type RetryQuarantineResult,
} from '../ingest/index.ts';
import { toUtcText } from '../preprocess/index.ts';
import type { Clock } from '../shared/clock.ts';
import { systemClock } from '../shared/clock.ts';
import { AppError, ConflictError, FileRejectedError, toAppError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { ObjectStore } from '../storage/index.ts';
import { LedgerRepo, SETTLED_STATUSES, type LedgerEntry, type Warehouse } from '../warehouse/index.ts';

export type FileOutcomeStatus = 'loaded' | 'unchanged' | 'duplicate' | 'rejected' | 'failed';

export interface FileOutcome {
  readonly key: string;
  readonly kind: string;
  readonly status: FileOutcomeStatus;
  readonly sha256?: string;
  readonly rowsTotal: number;
  readonly rowsOk: number;
  readonly rowsRejected: number;
  readonly rejectsByCode: Readonly<Record<string, number>>;
  readonly seconds: number;
  readonly backupKey?: string;
  readonly quarantineKey?: string;
  readonly message?: string;
}

export interface IngestSummary {
  readonly files: readonly FileOutcome[];
  readonly filesLoaded: number;
  readonly rowsLoaded: number;
  readonly rowsRejected: number;
  readonly rejectsByCode: Readonly<Record<string, number>>;
  readonly retry?: RetryQuarantineResult;
  readonly seconds: number;
  readonly rowsPerSecond: number;
}

export interface IngestProgress {
  readonly key: string;
  readonly bytes: number;
  readonly size: number;
}

export interface IngestJobOptions {
  readonly store: ObjectStore;
  readonly warehouse: Warehouse;
  readonly config: IngestConfig;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Re-validate rows quarantined for an unknown user/service after loading new files. */
  readonly retryQuarantine?: boolean;
  readonly onProgress?: (progress: IngestProgress) => void;
}

/**
 * `pickwise ingest`: detect new landing files, back them up, then load each in its own transaction.
 * Idempotent: a file version already settled in the ledger is never loaded twice, and a load that was
 * interrupted (status `loading`) or failed is loaded again from scratch.
 */
export async function runIngestJob(options: IngestJobOptions): Promise<IngestSummary> {
  const clock = options.clock ?? systemClock;
  const started = performance.now();
  const { warehouse } = options;
  // One ingest at a time per warehouse: overlapping runs (cron, file triggers) would race on the ledger.
  const lock = await warehouse.dialect.tryLock(warehouse.db, 'ingest');
  if (!('release' in lock)) {
    throw new ConflictError(`another pickwise ingest is running on ${warehouse.displayUrl} (${lock.description}); run again when it has finished`);
  }
  const ledger = new LedgerRepo(warehouse.db);
  const outcomes: FileOutcome[] = [];
  let retry: RetryQuarantineResult | undefined;
  try {
    for (const object of await listLanding(options.store, options.config.landingPrefix)) {
      const outcome = await ingestOne(object, { ...options, clock, ledger });
      if (outcome) outcomes.push(outcome);
    }
    if (options.retryQuarantine) {
      retry = await retryQuarantine({ warehouse, now: toUtcText(clock()) });
      options.logger.info({ ...retry }, 'quarantine retried');
    }
  } finally {
    await lock.release();
  }
  const seconds = (performance.now() - started) / 1000;
  const rejectsByCode: Record<string, number> = {};
  for (const o of outcomes) for (const [code, n] of Object.entries(o.rejectsByCode)) rejectsByCode[code] = (rejectsByCode[code] ?? 0) + n;
  const loaded = outcomes.filter((o) => o.status === 'loaded');
  const rowsLoaded = loaded.reduce((s, o) => s + o.rowsOk, 0);
  const rowsRejected = loaded.reduce((s, o) => s + o.rowsRejected, 0);
  return {
    files: outcomes,
    filesLoaded: loaded.length,
    rowsLoaded,
    rowsRejected,
    rejectsByCode,
    ...(retry ? { retry } : {}),
    seconds,
    rowsPerSecond: seconds > 0 ? Math.round((rowsLoaded + rowsRejected) / seconds) : 0,
  };
}

type Ctx = IngestJobOptions & { clock: Clock; ledger: LedgerRepo };

async function ingestOne(object: LandingObject, ctx: Ctx): Promise<FileOutcome | undefined> {
  const { info } = object;
  const log = ctx.logger.child({ file: info.key });
  if (await ctx.ledger.findUnchanged(info.key, info.etag, info.size)) return undefined; // seen before, same version
  const t0 = performance.now();
  const sha256 = await hashObject(ctx.store, info.key);
  const detectedAt = ctx.clock();
  const base = { key: info.key, kind: object.kind ?? 'unknown', sha256, rowsTotal: 0, rowsOk: 0, rowsRejected: 0, rejectsByCode: {} };
  const elapsed = (): number => (performance.now() - t0) / 1000;

  let entry: LedgerEntry | undefined = await ctx.ledger.findVersion(info.key, sha256);
  if (entry && SETTLED_STATUSES.includes(entry.status)) {
    await ctx.ledger.update(entry.fileId, { sourceEtag: info.etag }); // remember the new etag (e.g. a touched file)
    return undefined;
  }
  if (!entry) {
    const original = await ctx.ledger.findLoadedContent(sha256);
    if (original) {
      const message = `same content as ${original.objectKey} (file ${original.fileId}), already loaded; skipped`;
      await ctx.ledger.insert({ objectKey: info.key, sha256, sizeBytes: info.size, sourceEtag: info.etag, kind: object.kind ?? 'unknown', status: 'duplicate', detectedAt: toUtcText(detectedAt), message, duplicateOfFileId: original.fileId });
      log.warn({ duplicateOf: original.objectKey }, 'duplicate file skipped');
      return { ...base, status: 'duplicate', seconds: elapsed(), message };
    }
  }

  // Back up the raw object before anything else happens to it.
  const backupKey = entry?.backupKey ?? backupKeyFor(ctx.config.rawPrefix, detectedAt, sha256, object.name);
  if (!entry?.backupKey) await ctx.store.copy(info.key, backupKey);
  const fileId =
    entry?.fileId ??
    (await ctx.ledger.insert({ objectKey: info.key, sha256, sizeBytes: info.size, sourceEtag: info.etag, kind: object.kind ?? 'unknown', status: 'loading', detectedAt: toUtcText(detectedAt) }));

  if (object.kind === undefined) {
    const message = `'${object.name}' matches no kind of landing file: names must start with users, services or reservations and end in .csv`;
    await ctx.ledger.update(fileId, { status: 'rejected', backupKey, message, finishedAt: toUtcText(ctx.clock()) });
    log.warn(message);
    return { ...base, status: 'rejected', seconds: elapsed(), backupKey, message };
  }

  await ctx.ledger.update(fileId, { status: 'loading', backupKey, startedAt: toUtcText(ctx.clock()), message: null });
  const quarantine = new QuarantineFile();
  const quarantineKey = quarantineKeyFor(ctx.config.quarantinePrefix, sha256, object.name);
  try {
    const result = await ctx.warehouse.db.transaction().execute(async (trx) => {
      const loaded = await loadLandingFile({
        store: ctx.store, trx, dialect: ctx.warehouse.dialect, key: info.key, kind: object.kind!, fileId,
        now: toUtcText(ctx.clock()), quarantine, sizeBytes: info.size,
        onProgress: ctx.onProgress ? (bytes) => ctx.onProgress!({ key: info.key, bytes, size: info.size }) : undefined,
      });
      log.debug({ rowsOk: loaded.rowsOk, rowsRejected: loaded.rowsRejected }, 'file parsed, committing');
      // The quarantine file is written before the commit: a committed load always has its rejects.
      const wroteRejects = await quarantine.upload(ctx.store, quarantineKey);
      const message = loaded.extraColumns.length > 0 ? `extra columns ignored: ${loaded.extraColumns.join(', ')}` : loaded.rowsTotal === 0 ? 'header only: no data rows' : null;
      await new LedgerRepo(trx).update(fileId, {
        status: 'loaded', rowsTotal: loaded.rowsTotal, rowsOk: loaded.rowsOk, rowsRejected: loaded.rowsRejected,
        rejectsByCode: JSON.stringify(quarantine.byCode()), quarantineKey: wroteRejects ? quarantineKey : null, message, finishedAt: toUtcText(ctx.clock()),
      });
      return { ...loaded, wroteRejects, message };
    });
    const seconds = elapsed();
    if (result.message) log.warn(result.message);
    log.info({ kind: object.kind, rowsOk: result.rowsOk, rowsRejected: result.rowsRejected, seconds: round(seconds) }, 'file loaded');
    return {
      ...base, status: 'loaded', rowsTotal: result.rowsTotal, rowsOk: result.rowsOk, rowsRejected: result.rowsRejected,
      rejectsByCode: quarantine.byCode(), seconds, backupKey, ...(result.wroteRejects ? { quarantineKey } : {}), ...(result.message ? { message: result.message } : {}),
    };
  } catch (error) {
    const appError = toAppError(error);
    const status = error instanceof FileRejectedError ? 'rejected' : 'failed';
    await ctx.ledger.update(fileId, { status, message: appError.message, finishedAt: toUtcText(ctx.clock()) }).catch(() => undefined);
    if (status === 'failed') throw new AppError({ code: appError.code, httpStatus: appError.httpStatus, expected: appError.expected }, `loading ${info.key} failed, nothing of it was kept: ${appError.message}`, { cause: error });
    log.warn(appError.message);
    return { ...base, status, seconds: elapsed(), backupKey, message: appError.message };
  } finally {
    await quarantine.dispose();
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
