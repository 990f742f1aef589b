import type { FeedbackConfig, IngestConfig } from '../config/index.ts';
import { refreshFeatures, type FeatureRefresh } from '../features/index.ts';
import { ingestLandingFile, listLanding, retryQuarantine, type FileOutcome, type RetryQuarantineResult } from '../ingest/index.ts';
import { toUtcText, systemClock, AppError, ErrorCode } from '../shared/index.ts';
import type { Clock } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
import type { ObjectStore } from '../storage/index.ts';
import { acquireRunLock, FeedbackKeysRepo, LedgerRepo, type Warehouse } from '../warehouse/index.ts';
import { recordingFeedbackRows } from './feedback-rows.ts';

export type { FileOutcome, FileOutcomeStatus } from '../ingest/index.ts';

export interface IngestSummary {
  readonly files: readonly FileOutcome[];
  readonly filesLoaded: number;
  /** Files that failed (nothing of them was kept); the files after them were still loaded. */
  readonly filesFailed: number;
  /** Data rows read from the loaded files: `rowsIn = rowsLoaded + rowsDuplicate + rowsRejected`. */
  readonly rowsIn: number;
  readonly rowsLoaded: number;
  /** Rows of feedback files whose event was stored already (an earlier file, the API): counted, not stored again. */
  readonly rowsDuplicate: number;
  /** Of `rowsLoaded`: rows that added something new, and rows that updated what was there (status updates). */
  readonly rowsNew: number;
  readonly rowsUpdated: number;
  readonly rowsRejected: number;
  readonly rejectsByCode: Readonly<Record<string, number>>;
  readonly retry?: RetryQuarantineResult;
  /** The feature snapshot built after the load (new data, or a missing or stale snapshot repaired). */
  readonly features?: FeatureRefresh;
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
  /** How `feedback*.csv` rows are attributed and clamped: the same settings as POST /v1/feedback. */
  readonly feedback: Readonly<Pick<FeedbackConfig, 'attributionWindow' | 'maxClockSkew'>>;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Re-validate rows quarantined for an unknown user/service after loading new files. */
  readonly retryQuarantine?: boolean;
  /**
   * Keep the feature snapshot current (`features.afterIngest`): after the files, still under the run's lock,
   * update it when this run changed the warehouse or when it is missing or stale (an earlier run was killed
   * while building it). Default false.
   */
  readonly refreshFeatures?: boolean;
  readonly onProgress?: (progress: IngestProgress) => void;
}

/**
 * `pickwise ingest`: detect new landing files and load each in its own transaction, from one read that also
 * hashes and backs it up; then bring the feature snapshot up to date. Idempotent: a file version already
 * settled in the ledger is never loaded twice, and a load that was interrupted (status `loading`) or failed
 * is loaded again from scratch. A file that fails is reported and the next one loads all the same.
 */
export async function runIngestJob(options: IngestJobOptions): Promise<IngestSummary> {
  const clock = options.clock ?? systemClock;
  const started = performance.now();
  const { warehouse, store, config } = options;
  // One ingest at a time per warehouse: overlapping runs (cron, file triggers) would race on the ledger.
  const lock = await acquireRunLock(warehouse, 'pickwise ingest');
  const ledger = new LedgerRepo(warehouse.db);
  const feedback = recordingFeedbackRows(options.feedback);
  const outcomes: FileOutcome[] = [];
  let retry: RetryQuarantineResult | undefined;
  let features: FeatureRefresh | undefined;
  try {
    for (const object of await listLanding(store, config.landingPrefix)) {
      const { key, size } = object.info;
      const onProgress = options.onProgress ? (bytes: number) => options.onProgress!({ key, bytes, size }) : undefined;
      const outcome = await ingestLandingFile(object, {
        store,
        warehouse,
        ledger,
        config,
        clock,
        logger: options.logger,
        feedback,
        ...(onProgress ? { onProgress } : {}),
      });
      if (outcome) outcomes.push(outcome);
    }
    if (outcomes.some((o) => o.status === 'loaded' && o.rowsOk > 0 && (o.kind === 'users' || o.kind === 'services'))) {
      // Reactions stored before their user or service arrived get their star keys now.
      const filled = await new FeedbackKeysRepo(warehouse.db).fillKeys();
      if (filled.users + filled.services > 0) options.logger.info(filled, 'feedback events given the keys of users and services loaded since');
    }
    if (options.retryQuarantine) {
      const now = clock();
      retry = await retryQuarantine({ warehouse, now: toUtcText(now), rules: { nowMs: now.getTime(), maxClockSkewMs: config.maxClockSkew * 1000 } });
      options.logger.info({ ...retry }, 'quarantine retried');
    }
    if (options.refreshFeatures) {
      // Feature tables are built from users, services and reservations: feedback events alone change none of them.
      const changed = outcomes.some((o) => o.status === 'loaded' && o.rowsOk > 0 && o.kind !== 'feedback') || (retry?.loaded ?? 0) > 0;
      features = await refreshFeatures(warehouse, { clock, changed });
      if (features)
        options.logger.info(
          { snapshotId: features.snapshotId, mode: features.mode, because: features.because, seconds: features.seconds },
          'feature snapshot updated',
        );
    }
  } finally {
    await lock.release();
  }
  return summarise({ outcomes, retry, features, seconds: (performance.now() - started) / 1000 });
}

/**
 * Totals of a run. Fails loudly when a loaded file does not account for its rows or lines (`rowsTotal =
 * rowsOk + rowsDuplicate + rowsRejected`, `lines.total = header + blank + records`): that would be data lost
 * without a trace.
 */
export function summarise(o: {
  outcomes: readonly FileOutcome[];
  retry?: RetryQuarantineResult | undefined;
  features?: FeatureRefresh | undefined;
  seconds: number;
}): IngestSummary {
  const { outcomes, seconds } = o;
  const loaded = outcomes.filter((f) => f.status === 'loaded');
  for (const f of loaded) {
    const lines = f.lines;
    const linesAddUp = lines === undefined || lines.total === lines.header + lines.blank + lines.records;
    if (f.rowsTotal !== f.rowsOk + f.rowsDuplicate + f.rowsRejected || f.rowsOk !== f.rowsNew + f.rowsUpdated || !linesAddUp) {
      throw new AppError(
        { code: ErrorCode.INTERNAL, httpStatus: 500, expected: false },
        `${f.key}: rows do not add up (${f.rowsTotal} read, ${f.rowsOk} loaded [${f.rowsNew} new + ${f.rowsUpdated} updated], ` +
          `${f.rowsDuplicate} duplicates, ${f.rowsRejected} quarantined` +
          `${lines ? `; ${lines.total} lines = ${lines.header} header + ${lines.blank} blank + ${lines.records} in rows` : ''})`,
      );
    }
  }
  const sum = (pick: (f: FileOutcome) => number): number => loaded.reduce((s, f) => s + pick(f), 0);
  const rejectsByCode: Record<string, number> = {};
  for (const f of loaded) for (const [code, n] of Object.entries(f.rejectsByCode)) rejectsByCode[code] = (rejectsByCode[code] ?? 0) + n;
  const rowsIn = sum((f) => f.rowsTotal);
  return {
    files: outcomes,
    filesLoaded: loaded.length,
    filesFailed: outcomes.filter((f) => f.status === 'failed').length,
    rowsIn,
    rowsLoaded: sum((f) => f.rowsOk),
    rowsDuplicate: sum((f) => f.rowsDuplicate),
    rowsNew: sum((f) => f.rowsNew),
    rowsUpdated: sum((f) => f.rowsUpdated),
    rowsRejected: sum((f) => f.rowsRejected),
    rejectsByCode,
    ...(o.retry ? { retry: o.retry } : {}),
    ...(o.features ? { features: o.features } : {}),
    seconds,
    rowsPerSecond: seconds > 0 ? Math.round(rowsIn / seconds) : 0,
  };
}
