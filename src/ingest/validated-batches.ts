import type { Readable } from 'node:stream';
import { createRecordValidator, RejectCode, type KnownReferences, type RecordValidator, type ValidatedBatch } from '../preprocess/index.ts';
import type { LandingKind } from '../shared/domain.ts';
import { FileRejectedError } from '../shared/errors.ts';
import { readCsvRecords, type CsvReadSummary } from './csv-records.ts';

export interface ValidatedBatchHandlers {
  /** The file's header has been checked and is usable. */
  onHeader(validator: Pick<RecordValidator, 'header' | 'check'>): void;
  /** One batch of validated rows and rejects, in file order; awaited before the next (backpressure). */
  onBatch(batch: ValidatedBatch): Promise<void>;
}

export interface ValidatedBatchOptions {
  readonly source: Readable;
  readonly kind: LandingKind;
  /** Names the file in messages. */
  readonly label: string;
  readonly handlers: ValidatedBatchHandlers;
  /** For reservations: the users and services they may reference. */
  readonly references?: KnownReferences;
  readonly onProgress?: (bytes: number) => void;
}

/**
 * Parses and validates a landing file in the calling thread. Rejects with {@link FileRejectedError} when the
 * header makes the file unusable or when there is no header at all.
 */
export async function readValidatedBatches(options: ValidatedBatchOptions): Promise<CsvReadSummary> {
  const { handlers, label } = options;
  let validator: RecordValidator | undefined;
  const summary = await readCsvRecords(options.source, {
    onHeader(fields) {
      validator = createRecordValidator(options.kind, fields, options.references);
      if (validator.problem !== undefined) throw new FileRejectedError(`${label}: ${validator.problem}`);
      handlers.onHeader(validator);
    },
    onRecords: (records) => handlers.onBatch(validator!.validate(records)),
    onParseFailure: (failure) => handlers.onBatch({ valid: [], rejects: [{ line: failure.line, code: RejectCode.PARSE_ERROR, reason: failure.message, fields: [] }] }),
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  if (!summary.sawHeader) {
    throw new FileRejectedError(
      summary.bytes === 0 ? `${label}: the file is empty (0 bytes); expected a header row and data rows` : `${label}: the file has no header row (only blank lines)`,
    );
  }
  return summary;
}
