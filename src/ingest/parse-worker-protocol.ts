import type { ColumnIndex, RejectedRecord, RowRules } from '../preprocess/index.ts';
import { type DimensionKeys, type ReservationColumns, type UserRow, type ServiceRow } from '../shared/index.ts';
import type { LandingKind } from '../shared/index.ts';
import type { CsvReadSummary } from './csv-records.ts';
import type { FeedbackBatch } from './validated-batches.ts';

/** What the parse worker starts with: the file's kind and, for reservations, the dimension keys. */
export interface ParseWorkerData {
  readonly kind: LandingKind;
  readonly label: string;
  readonly rules: RowRules;
  readonly maxRecordBytes: number;
  readonly references?: { userIds: string[]; userKeys: Int32Array; serviceIds: string[]; serviceKeys: Int32Array };
}

/** Messages between the load (main thread) and the parse worker. */
export type MainToWorker = { t: 'chunk'; buf: ArrayBuffer } | { t: 'end' } | { t: 'ack' };

export type WorkerToMain =
  | { t: 'chunkTaken' }
  | { t: 'header'; header: string[]; extra: string[]; index: ColumnIndex }
  | { t: 'batch'; dimensions: (UserRow | ServiceRow)[]; rejects: readonly RejectedRecord[] }
  | { t: 'packed'; reservations: PackedReservations; rejects: readonly RejectedRecord[] }
  | { t: 'feedback'; feedback: FeedbackBatch; rejects: readonly RejectedRecord[] }
  | { t: 'done'; summary: CsvReadSummary }
  | { t: 'error'; code: string; name: string; message: string };

/**
 * Reservation columns as they cross the thread boundary: structured-cloning a string array costs more than
 * joining it, so the strings travel as one newline-joined text (ids are validated free of control
 * characters; timestamps are normalised) and the integers in their typed array, transferred.
 */
export interface PackedReservations {
  readonly n: number;
  readonly text: string;
  readonly ints: Int32Array;
}

export function packReservations(columns: ReservationColumns): PackedReservations {
  return { n: columns.n, text: columns.strings.join('\n'), ints: columns.ints };
}

export function unpackReservations(packed: PackedReservations): ReservationColumns {
  return { n: packed.n, strings: packed.n === 0 ? [] : packed.text.split('\n'), ints: packed.ints };
}

export function parseWorkerData(o: {
  kind: LandingKind;
  label: string;
  rules: RowRules;
  maxRecordBytes: number;
  references: DimensionKeys | undefined;
}): ParseWorkerData {
  const { kind, label, rules, maxRecordBytes, references } = o;
  if (references === undefined) return { kind, label, rules, maxRecordBytes };
  return {
    kind,
    label,
    rules,
    maxRecordBytes,
    references: {
      userIds: [...references.users.keys()],
      userKeys: Int32Array.from(references.users.values()),
      serviceIds: [...references.services.keys()],
      serviceKeys: Int32Array.from(references.services.values()),
    },
  };
}
