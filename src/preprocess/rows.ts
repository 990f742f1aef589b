/** Validated, normalised rows: what preprocessing hands to the loader. All timestamps are UTC. */
export type { LandingKind, ReservationStatus, UserRow, ServiceRow, ReservationRow, LandingFeedbackRow } from '../shared/index.ts';

/**
 * Why a row was quarantined. Codes are stable (they are counted in the ledger and in summaries);
 * reasons are for people.
 */
export const RejectCode = {
  PARSE_ERROR: 'PARSE_ERROR',
  FIELD_COUNT: 'FIELD_COUNT',
  INVALID_UTF8: 'INVALID_UTF8',
  MISSING_VALUE: 'MISSING_VALUE',
  VALUE_TOO_LONG: 'VALUE_TOO_LONG',
  BAD_ID: 'BAD_ID',
  BAD_TIMESTAMP: 'BAD_TIMESTAMP',
  /** A timestamp later than now + `ingest.maxClockSkew`. */
  FUTURE_TIMESTAMP: 'FUTURE_TIMESTAMP',
  /** A region or category with a line break or another control character. */
  BAD_LABEL: 'BAD_LABEL',
  BAD_STATUS: 'BAD_STATUS',
  BAD_RATING: 'BAD_RATING',
  BAD_PRICE: 'BAD_PRICE',
  BAD_BIRTH_YEAR: 'BAD_BIRTH_YEAR',
  BAD_GENDER: 'BAD_GENDER',
  /** A feedback `type` that is not one of impression, select, cancel, reserve, complete. */
  BAD_TYPE: 'BAD_TYPE',
  /** A feedback event_id stored already for a different event (the API's rejection of the same name). */
  EVENT_ID_REUSED: 'EVENT_ID_REUSED',
  UNKNOWN_USER: 'UNKNOWN_USER',
  UNKNOWN_SERVICE: 'UNKNOWN_SERVICE',
} as const;
export type RejectCode = (typeof RejectCode)[keyof typeof RejectCode];

/** Codes that may resolve by themselves once other files land (`pickwise ingest --retry-quarantine`). */
export const RETRYABLE_CODES: ReadonlySet<RejectCode> = new Set([RejectCode.UNKNOWN_USER, RejectCode.UNKNOWN_SERVICE]);

export interface Reject {
  readonly code: RejectCode;
  readonly reason: string;
}

export function isReject(value: object): value is Reject {
  return 'code' in value && 'reason' in value;
}
