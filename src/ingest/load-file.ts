import type { Transaction } from 'kysely';
import { RETRYABLE_CODES, type RejectedRecord, type ServiceRow, type UserRow } from '../preprocess/index.ts';
import type { LandingKind } from '../shared/domain.ts';
import type { ObjectStore } from '../storage/index.ts';
import { StarWriter, type WarehouseDb, type WarehouseDialect } from '../warehouse/index.ts';
import type { QuarantineFile } from './quarantine-file.ts';
import { readValidatedBatches, validCount, type LoadBatch } from './validated-batches.ts';
import { readValidatedBatchesInWorker } from './worker-batches.ts';

export interface LoadFileOptions {
  readonly store: ObjectStore;
  readonly trx: Transaction<WarehouseDb>;
  readonly dialect: WarehouseDialect;
  readonly key: string;
  readonly kind: LandingKind;
  readonly fileId: number;
  /** UTC text stamped on every written row's `updated_at`. */
  readonly now: string;
  readonly quarantine: QuarantineFile;
  /** Size of the file in bytes: decides the parse thread and whether indexes are rebuilt after the load. */
  readonly sizeBytes: number;
  readonly onProgress?: (bytes: number) => void;
}

export interface LoadFileResult {
  readonly rowsTotal: number;
  readonly rowsOk: number;
  readonly rowsRejected: number;
  /** Header columns outside the contract (ignored). */
  readonly extraColumns: readonly string[];
  /** Rejected reservations that may load later (unknown user/service), stored in `ingest_pending_row`. */
  readonly pending: number;
}

/** Files at least this large are parsed in a worker thread (its start-up costs ~0.2 s). */
const WORKER_THRESHOLD_BYTES = 8 << 20;
const BYTES_PER_ROW_ESTIMATE = 60;
const RESERVATION_COLUMNS = ['reservation_id', 'user_id', 'service_id', 'status', 'reserved_at', 'rating'] as const;

/**
 * Streams one landing file into the warehouse inside the caller's transaction: parse, validate, quarantine,
 * write. Throws FileRejectedError when the file as a whole is unusable (no header, missing columns).
 * Writes are pipelined: the next batch is validated while the previous one is being written.
 */
export async function loadLandingFile(options: LoadFileOptions): Promise<LoadFileResult> {
  const { trx, kind, quarantine } = options;
  const writer = new StarWriter({ db: trx, dialect: options.dialect, fileId: options.fileId, now: options.now });
  const keys = kind === 'reservations' ? await writer.keyMaps() : undefined;
  let extraColumns: readonly string[] = [];
  let reservationIndex: readonly number[] = [];
  let rowsTotal = 0;
  let rowsOk = 0;
  let pendingCount = 0;
  const pending: RejectedRecord[] = [];
  let inFlight: Promise<void> = Promise.resolve();

  // A retried load of the same file version replaces its earlier pending rows.
  await trx.deleteFrom('ingestPendingRow').where('fileId', '=', options.fileId).execute();
  // A file that adds about as many facts as the table holds loads faster with its indexes rebuilt once.
  let finishBulkLoad: (() => Promise<void>) | undefined;
  if (kind === 'reservations') {
    const top = await trx.selectFrom('factReservation').select((eb) => eb.fn.max('reservationKey').as('n')).executeTakeFirst();
    if (options.sizeBytes / BYTES_PER_ROW_ESTIMATE > Number(top?.n ?? 0) * 0.5) finishBulkLoad = await options.dialect.beginBulkLoad(trx, 'fact_reservation');
  }

  const write = async (batch: LoadBatch): Promise<void> => {
    if (batch.reservations) await writer.writeReservations(batch.reservations);
    else if (kind === 'users') await writer.writeUsers((batch.dimensions ?? []) as UserRow[]);
    else await writer.writeServices((batch.dimensions ?? []) as ServiceRow[]);
  };

  const onBatch = async (batch: LoadBatch): Promise<void> => {
    const valid = validCount(batch);
    rowsTotal += valid + batch.rejects.length;
    rowsOk += valid;
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

  const savePending = async (rows: readonly RejectedRecord[]): Promise<number> => {
    const at = (fields: readonly string[], column: number): string => fields[reservationIndex[column] ?? -1] ?? '';
    for (let i = 0; i < rows.length; i += 500) {
      await trx
        .insertInto('ingestPendingRow')
        .values(rows.slice(i, i + 500).map((p) => ({
          fileId: options.fileId, lineNo: p.line, code: p.code, reason: p.reason,
          reservationId: at(p.fields, 0), userId: at(p.fields, 1), serviceId: at(p.fields, 2),
          status: at(p.fields, 3), reservedAt: at(p.fields, 4), rating: at(p.fields, 5), createdAt: options.now,
        })))
        .execute();
    }
    return rows.length;
  };

  const source = await options.store.get(options.key);
  const read = options.sizeBytes >= WORKER_THRESHOLD_BYTES ? readValidatedBatchesInWorker : readValidatedBatches;
  await read({
    source,
    kind,
    label: options.key,
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
  return { rowsTotal, rowsOk, rowsRejected: quarantine.count, extraColumns, pending: pendingCount };
}
