import type { ColumnIndex, RejectedRecord, ReservationRow, ValidatedBatch } from '../preprocess/index.ts';
import type { CsvReadSummary } from './csv-records.ts';

/** Messages between the load (main thread) and the parse worker. */
export type MainToWorker = { t: 'chunk'; buf: ArrayBuffer } | { t: 'end' } | { t: 'ack' };

export type WorkerToMain =
  | { t: 'chunkTaken' }
  | { t: 'header'; header: string[]; extra: string[]; index: ColumnIndex }
  | { t: 'batch'; batch: ValidatedBatch }
  | { t: 'packed'; rows: PackedReservations; rejects: RejectedRecord[] }
  | { t: 'done'; summary: CsvReadSummary }
  | { t: 'error'; code: string; name: string; message: string };

/**
 * Reservations cross the thread boundary packed: structured-cloning a million row objects costs more than
 * parsing them. Strings are joined with a newline (ids are validated free of control characters; timestamps
 * are normalised) and numbers travel in one typed array.
 */
export interface PackedReservations {
  readonly n: number;
  readonly text: string;
  /** Per row: dateKey, status code, rating (0 = none). */
  readonly ints: Int32Array;
}

const STATUS_CODES: readonly ReservationRow['status'][] = ['reserved', 'completed', 'canceled'];

export function packReservations(rows: readonly ReservationRow[]): PackedReservations {
  const parts = new Array<string>(rows.length * 4);
  const ints = new Int32Array(rows.length * 3);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i]!;
    parts[i * 4] = r.reservationId;
    parts[i * 4 + 1] = r.userId;
    parts[i * 4 + 2] = r.serviceId;
    parts[i * 4 + 3] = r.reservedAt;
    ints[i * 3] = r.dateKey;
    ints[i * 3 + 1] = STATUS_CODES.indexOf(r.status);
    ints[i * 3 + 2] = r.rating ?? 0;
  }
  return { n: rows.length, text: parts.join('\n'), ints };
}

export function unpackReservations(packed: PackedReservations): ReservationRow[] {
  const parts = packed.n === 0 ? [] : packed.text.split('\n');
  const { ints } = packed;
  const rows = new Array<ReservationRow>(packed.n);
  for (let i = 0; i < packed.n; i++) {
    const rating = ints[i * 3 + 2]!;
    rows[i] = {
      reservationId: parts[i * 4]!,
      userId: parts[i * 4 + 1]!,
      serviceId: parts[i * 4 + 2]!,
      reservedAt: parts[i * 4 + 3]!,
      dateKey: ints[i * 3]!,
      status: STATUS_CODES[ints[i * 3 + 1]!]!,
      rating: rating === 0 ? null : rating,
    };
  }
  return rows;
}
