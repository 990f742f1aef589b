/** Preprocessing: pure checks and normalisation of landing rows. No I/O. */
export { LANDING_COLUMNS, KIND_ORDER, kindOfFile, checkHeader, describeHeaderProblem, type ColumnIndex, type HeaderCheck } from './landing-contract.ts';
export { RejectCode, RETRYABLE_CODES, isReject, type Reject } from './rows.ts';
export { parseIsoTimestamp, type UtcTimestamp } from './timestamp.ts';
export { feedbackValidator } from './validate-feedback-row.ts';
export { userValidator, serviceValidator, reservationValidator, validatorFor, MAX_ID_LENGTH, type RowRules, type RowValidator } from './validate-row.ts';
export { referenceKeysOf, reservationColumns } from './reservation-columns.ts';
export {
  createRecordValidator,
  type KnownReferences,
  type RecordValidatorOptions,
  type RecordValidator,
  type RejectedRecord,
  type SourceRecord,
  type ValidatedBatch,
  type ValidRow,
} from './validate-records.ts';
