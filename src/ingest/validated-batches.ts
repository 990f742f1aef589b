import type { Readable } from 'node:stream';
import {
  createRecordValidator,
  RejectCode,
  reservationColumns,
  type RecordValidator,
  type RejectedRecord,
  type RowRules,
  type SourceRecord,
  type ValidatedBatch,
} from '../preprocess/index.ts';
import {
  type DimensionKeys,
  type LandingFeedbackRow,
  type ReservationColumns,
  type ReservationRow,
  type ServiceRow,
  type UserRow,
  FileRejectedError,
} from '../shared/index.ts';
import type { LandingKind } from '../shared/index.ts';
import { readCsvRecords, type CsvReadSummary } from './csv-records.ts';

/** Feedback rows and the records they came from (line and fields as uploaded), side by side. */
export interface FeedbackBatch {
  readonly rows: readonly LandingFeedbackRow[];
  readonly records: readonly SourceRecord[];
}

/**
 * One batch ready to load, in file order: users or services as rows, reservations column-wise with their
 * user and service keys resolved, feedback events with their source records, and the batch's rejects.
 */
export interface LoadBatch {
  readonly rejects: readonly RejectedRecord[];
  readonly dimensions?: readonly (UserRow | ServiceRow)[];
  readonly reservations?: ReservationColumns;
  readonly feedback?: FeedbackBatch;
}

/** Number of valid rows in a batch. */
export function validCount(batch: LoadBatch): number {
  return batch.reservations?.n ?? batch.dimensions?.length ?? batch.feedback?.rows.length ?? 0;
}

/** Turns a validated batch into a {@link LoadBatch}; reservations need the dimension keys. */
export function toLoadBatch(kind: LandingKind, batch: ValidatedBatch): LoadBatch {
  if (kind === 'feedback') {
    if (batch.records === undefined) throw new Error('feedback rows are validated with their source records: records are required');
    return { rejects: batch.rejects, feedback: { rows: batch.valid as LandingFeedbackRow[], records: batch.records } };
  }
  if (kind !== 'reservations') return { rejects: batch.rejects, dimensions: batch.valid as (UserRow | ServiceRow)[] };
  if (batch.referenceKeys === undefined) throw new Error('reservations are validated against the users and services they reference: references are required');
  return { rejects: batch.rejects, reservations: reservationColumns(batch.valid as ReservationRow[], batch.referenceKeys) };
}

export interface ValidatedBatchHandlers {
  /** The file's header has been checked and is usable. */
  onHeader(validator: Pick<RecordValidator, 'header' | 'check'>): void;
  /** One batch of validated rows and rejects, in file order; awaited before the next (backpressure). */
  onBatch(batch: LoadBatch): Promise<void>;
}

export interface ValidatedBatchOptions {
  readonly source: Readable;
  readonly kind: LandingKind;
  /** Names the file in messages. */
  readonly label: string;
  readonly handlers: ValidatedBatchHandlers;
  /** For reservations (required): the users and services they may reference, with their keys. */
  readonly references?: DimensionKeys;
  /** "Now" and the clock skew allowed past it, for the timestamp checks. */
  readonly rules: RowRules;
  /** Longest record in bytes (`ingest.maxRecordBytes`). */
  readonly maxRecordBytes: number;
  readonly onProgress?: (bytes: number) => void;
}

/**
 * Parses and validates a landing file in the calling thread. Rejects with {@link FileRejectedError} when the
 * header makes the file unusable or when there is no header at all.
 */
export async function readValidatedBatches(options: ValidatedBatchOptions): Promise<CsvReadSummary> {
  const { handlers, label } = options;
  let validator: RecordValidator | undefined;
  const summary = await readCsvRecords(
    options.source,
    {
      onHeader(fields) {
        validator = createRecordValidator({
          kind: options.kind,
          header: fields,
          rules: options.rules,
          ...(options.references ? { references: options.references } : {}),
        });
        if (validator.problem !== undefined) throw new FileRejectedError(`${label}: ${validator.problem}`);
        handlers.onHeader(validator);
      },
      onRecords: (records) => handlers.onBatch(toLoadBatch(options.kind, validator!.validate(records))),
      // The record's first line as uploaded goes to the quarantine file as one field.
      onParseFailure: (failure) =>
        handlers.onBatch({ rejects: [{ line: failure.line, code: RejectCode.PARSE_ERROR, reason: failure.message, fields: [failure.text] }] }),
      ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    },
    { maxRecordBytes: options.maxRecordBytes },
  );
  if (!summary.sawHeader) {
    throw new FileRejectedError(
      summary.bytes === 0
        ? `${label}: the file is empty (0 bytes); expected a header row and data rows`
        : `${label}: the file has no header row (only blank lines)`,
    );
  }
  return summary;
}
