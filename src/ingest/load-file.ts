import type { Readable } from 'node:stream';
import type { Transaction } from 'kysely';
import { RETRYABLE_CODES, type RejectCode, type RejectedRecord, type RowRules } from '../preprocess/index.ts';
import { type ServiceRow, type UserRow, AppError, ErrorCode } from '../shared/index.ts';
import type { LandingKind } from '../shared/index.ts';
import { IngestRepo, StarWriter, type PendingReservation, type WarehouseDb, type WarehouseDialect } from '../warehouse/index.ts';
import type { CsvReadSummary } from './csv-records.ts';
import type { FeedbackRowStore } from './feedback-row-store.ts';
import type { QuarantineFile } from './quarantine-file.ts';
import { readValidatedBatches, validCount, type FeedbackBatch, type LoadBatch } from './validated-batches.ts';
import { readValidatedBatchesInWorker } from './worker-batches.ts';

export interface LoadFileOptions {
  /** The file's bytes (see readLandingOnce). */
  readonly source: Readable;
  readonly trx: Transaction<WarehouseDb>;
  readonly dialect: WarehouseDialect;
  /** Names the file in messages. */
  readonly label: string;
  readonly kind: LandingKind;
  readonly fileId: number;
  /** UTC text stamped on every written row's `updated_at`. */
  readonly now: string;
  /** "Now" and the allowed clock skew, for the timestamp checks. */
  readonly rules: RowRules;
  /** Longest record in bytes (`ingest.maxRecordBytes`). */
  readonly maxRecordBytes: number;
  readonly quarantine: QuarantineFile;
  /** Size of the file in bytes: decides the parse thread and whether indexes are rebuilt after the load. */
  readonly sizeBytes: number;
  /** Feedback files only (required for them): where their checked rows are stored. */
  readonly feedback?: FeedbackRowStore;
  readonly onProgress?: (bytes: number) => void;
}

/** How the physical lines of a file were accounted for: `total = header + blank + records`. */
export interface LineCounts {
  readonly total: number;
  readonly header: number;
  readonly blank: number;
  /** Lines spanned by data records (loaded or quarantined). */
  readonly records: number;
}

export interface LoadFileResult {
  /** Data records read: every one was loaded, a duplicate or quarantined (`rowsTotal = rowsOk + rowsDuplicate + rowsRejected`). */
  readonly rowsTotal: number;
  readonly rowsOk: number;
  /** Feedback rows whose event was stored already (same event_id, same event): counted, not stored again. 0 for other kinds. */
  readonly rowsDuplicate: number;
  readonly rowsRejected: number;
  /** Of `rowsOk`: rows that added a user, service or reservation, and rows that updated one already there. */
  readonly rowsNew: number;
  readonly rowsUpdated: number;
  readonly lines: LineCounts;
  /** Header columns outside the contract (ignored). */
  readonly extraColumns: readonly string[];
  /** Rejected reservations that may load later (unknown user/service), stored in `ingest_pending_row`. */
  readonly pending: number;
}

/**
 * Files at least this large are parsed in a worker thread, beside the writes. The worker is ready in ~70 ms; from
 * a daily export's size (~6 MB for 100 000 reservations) on, parsing beside the writes saves more than that.
 */
const WORKER_THRESHOLD_BYTES = 2 << 20;
const BYTES_PER_ROW_ESTIMATE = 60;
const RESERVATION_COLUMNS = ['reservation_id', 'user_id', 'service_id', 'status', 'reserved_at', 'rating'] as const;

/**
 * Streams one landing file into the warehouse inside the caller's transaction: parse, validate, quarantine,
 * write. Throws FileRejectedError when the file as a whole is unusable (no header, missing columns).
 * Writes are pipelined: the next batch is validated while the previous one is being written. Before it
 * returns, every line read is checked to be accounted for ({@link assertAccounted}).
 */
export async function loadLandingFile(options: LoadFileOptions): Promise<LoadFileResult> {
  const { trx, kind, quarantine } = options;
  const repo = new IngestRepo(trx);
  const writer = new StarWriter({ db: trx, dialect: options.dialect, fileId: options.fileId, now: options.now });
  const keys = kind === 'reservations' ? await writer.keyMaps() : undefined;
  let extraColumns: readonly string[] = [];
  let reservationIndex: readonly number[] = [];
  let rowsOk = 0;
  let rowsDuplicate = 0;
  let pendingCount = 0;
  const pending: RejectedRecord[] = [];
  let inFlight: Promise<void> = Promise.resolve();

  // A retried load of the same file version replaces its earlier pending rows.
  await repo.clearPending(options.fileId);
  // Feedback counts what it stored from the store's answers: API requests may add events to the table meanwhile.
  const rowsBefore = kind === 'feedback' ? 0 : await repo.countRows(kind);
  // A file that adds about as many facts as the table holds loads faster with its indexes rebuilt once.
  let finishBulkLoad: (() => Promise<void>) | undefined;
  if (kind === 'reservations' && options.sizeBytes / BYTES_PER_ROW_ESTIMATE > rowsBefore * 0.5) {
    finishBulkLoad = await options.dialect.beginBulkLoad(trx, 'fact_reservation');
  }

  const write = async (batch: LoadBatch): Promise<void> => {
    if (batch.reservations) await writer.writeReservations(batch.reservations);
    else if (kind === 'users') await writer.writeUsers((batch.dimensions ?? []) as UserRow[]);
    else await writer.writeServices((batch.dimensions ?? []) as ServiceRow[]);
  };
  const savePending = async (rows: readonly RejectedRecord[]): Promise<number> => {
    const at = (fields: readonly string[], column: number): string => fields[reservationIndex[column] ?? -1] ?? '';
    const toPending = (p: RejectedRecord): PendingReservation => ({
      fileId: options.fileId,
      lineNo: p.line,
      code: p.code,
      reason: p.reason,
      reservationId: at(p.fields, 0),
      userId: at(p.fields, 1),
      serviceId: at(p.fields, 2),
      status: at(p.fields, 3),
      reservedAt: at(p.fields, 4),
      rating: at(p.fields, 5),
    });
    await repo.insertPending(rows.map(toPending), options.now);
    return rows.length;
  };
  /** Feedback is stored batch by batch (the store's answers decide what is quarantined), its rejects in line order. */
  const storeFeedback = async (batch: LoadBatch & { feedback: FeedbackBatch }): Promise<void> => {
    const { rows, records } = batch.feedback;
    if (options.feedback === undefined) throw new Error(`${options.label}: a feedback file needs a feedback row store`);
    const outcomes = rows.length === 0 ? [] : await options.feedback.store({ trx, dialect: options.dialect, rows, now: new Date(options.rules.nowMs) });
    if (outcomes.length !== rows.length) throw new Error(`${options.label}: ${rows.length} feedback rows stored, but ${outcomes.length} outcomes returned`);
    const rejects: RejectedRecord[] = [...batch.rejects];
    outcomes.forEach((o, i) => {
      if (o.status === 'stored') rowsOk++;
      else if (o.status === 'duplicate') rowsDuplicate++;
      else rejects.push({ line: records[i]!.line, code: o.code as RejectCode, reason: o.reason, fields: records[i]!.fields });
    });
    rejects.sort((a, b) => a.line - b.line);
    for (const r of rejects) await quarantine.add(r.line, r.code, r.reason, r.fields);
  };
  const onBatch = async (batch: LoadBatch): Promise<void> => {
    if (kind === 'feedback') return storeFeedback({ ...batch, feedback: batch.feedback ?? { rows: [], records: [] } });
    rowsOk += validCount(batch);
    for (const r of batch.rejects) {
      await quarantine.add(r.line, r.code, r.reason, r.fields);
      if (RETRYABLE_CODES.has(r.code)) pending.push(r);
    }
    // Keep one write in flight while the next batch is parsed and validated.
    await inFlight;
    inFlight = write(batch);
    inFlight.catch(() => undefined);
    if (pending.length >= 500) {
      await inFlight;
      pendingCount += await savePending(pending.splice(0));
    }
  };

  const read = options.sizeBytes >= WORKER_THRESHOLD_BYTES ? readValidatedBatchesInWorker : readValidatedBatches;
  const summary = await read({
    source: options.source,
    kind,
    label: options.label,
    rules: options.rules,
    maxRecordBytes: options.maxRecordBytes,
    handlers: {
      onHeader(v) {
        extraColumns = v.check.extra;
        quarantine.setHeader(v.header);
        reservationIndex = RESERVATION_COLUMNS.map((c) => v.check.index[c] ?? -1);
      },
      onBatch,
    },
    ...(keys ? { references: keys } : {}),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  await inFlight;
  await writer.finish();
  pendingCount += await savePending(pending.splice(0));
  await finishBulkLoad?.();
  const rowsNew = kind === 'feedback' ? rowsOk : (await repo.countRows(kind)) - rowsBefore;
  const lines = { total: summary.lines, header: summary.headerLines, blank: summary.blankLines, records: summary.recordLines };
  assertAccounted({ label: options.label, summary, rowsOk, rowsDuplicate, rowsRejected: quarantine.count });
  return {
    rowsTotal: summary.records,
    rowsOk,
    rowsDuplicate,
    rowsRejected: quarantine.count,
    rowsNew,
    rowsUpdated: rowsOk - rowsNew,
    lines,
    extraColumns,
    pending: pendingCount,
  };
}

/**
 * Fails loudly unless every record read was loaded, a duplicate of a stored feedback event, or quarantined (`rows in =
 * loaded + duplicates + quarantined`) and every physical line belongs to the header, a blank line or a record.
 * Nothing of a file that fails this is kept.
 */
export function assertAccounted(o: { label: string; summary: CsvReadSummary; rowsOk: number; rowsDuplicate: number; rowsRejected: number }): void {
  const { summary: s, rowsOk, rowsDuplicate, rowsRejected } = o;
  const problems: string[] = [];
  if (s.records !== rowsOk + rowsDuplicate + rowsRejected)
    problems.push(
      `${s.records} rows read but ${rowsOk} loaded + ${rowsDuplicate} duplicates + ${rowsRejected} quarantined = ${rowsOk + rowsDuplicate + rowsRejected}`,
    );
  if (s.lines !== s.headerLines + s.blankLines + s.recordLines) {
    problems.push(
      `${s.lines} lines read but ${s.headerLines} header + ${s.blankLines} blank + ${s.recordLines} in rows = ${s.headerLines + s.blankLines + s.recordLines}`,
    );
  }
  if (problems.length === 0) return;
  throw new AppError(
    { code: ErrorCode.INTERNAL, httpStatus: 500, expected: false },
    `${o.label}: the load does not account for every line (${problems.join('; ')}); nothing of the file is kept`,
    {
      details: { ...s, rowsOk, rowsDuplicate, rowsRejected },
    },
  );
}
