/** Domain vocabulary shared by every stage: landing kinds, the validated row model, reservations packed column-wise. */

/** The kinds of landing file, named by their file-name prefix. */
export type LandingKind = 'users' | 'services' | 'reservations' | 'feedback';

/** A reservation's lifecycle state. A later row with the same reservation_id moves it. */
export type ReservationStatus = 'reserved' | 'completed' | 'canceled';

export const RESERVATION_STATUSES: readonly ReservationStatus[] = ['reserved', 'completed', 'canceled'];

/** A reaction type a client can report on a recommended service (POST /v1/feedback, `feedback*.csv`). */
export type FeedbackType = 'impression' | 'select' | 'cancel' | 'reserve' | 'complete';

export const FEEDBACK_TYPES: readonly FeedbackType[] = ['impression', 'select', 'cancel', 'reserve', 'complete'];

/** Longest id of a feedback event (event, recommendation, user, service): the API's limit and `fact_feedback`'s columns. */
export const MAX_FEEDBACK_ID_LENGTH = 200;

export interface UserRow {
  readonly userId: string;
  /** `YYYY-MM-DD HH:MM:SS.sss` UTC */
  readonly signupAt: string;
  /** `F`, `M` or `X` (other), or null when not given. */
  readonly gender: string | null;
  readonly birthYear: number | null;
  readonly region: string | null;
}

export interface ServiceRow {
  readonly serviceId: string;
  readonly name: string;
  readonly category: string;
  readonly region: string | null;
  readonly price: number;
  readonly createdAt: string;
}

export interface ReservationRow {
  readonly reservationId: string;
  readonly userId: string;
  readonly serviceId: string;
  readonly status: ReservationStatus;
  readonly reservedAt: string;
  /** yyyymmdd of `reservedAt` (UTC). */
  readonly dateKey: number;
  readonly rating: number | null;
}

/**
 * One reaction of a `feedback*.csv` landing file, checked and in the shape of an event posted to the API: it is
 * stored the same way (attribution, flags, clamping of future timestamps, idempotency by `eventId`).
 */
export interface LandingFeedbackRow {
  readonly eventId: string;
  readonly recommendationId: string | null;
  readonly userId: string;
  readonly serviceId: string;
  readonly type: FeedbackType;
  /** ISO-8601 as uploaded (trimmed; it parses), or null: "when it was received". */
  readonly at: string | null;
}

/** Natural → surrogate keys of the dimensions a reservation references. */
export interface DimensionKeys {
  readonly users: ReadonlyMap<string, number>;
  readonly services: ReadonlyMap<string, number>;
}

/**
 * Reservations ready to write, column-wise (pure data: the parse worker builds it, the loader writes it): the two strings of each row side by side and every other field
 * resolved to an integer. This is what the loader writes and what crosses the parse-thread boundary, so a
 * million reservations cost two string arrays and one typed array instead of a million objects.
 */
export interface ReservationColumns {
  readonly n: number;
  /** Per row: reservation_id, reserved_at (UTC text). */
  readonly strings: readonly string[];
  /** Per row, {@link RESERVATION_INTS} values: user_key, service_key, date_key, status code, rating (0 = none). */
  readonly ints: Int32Array;
}

export const RESERVATION_INTS = 5;

/** Status codes of {@link ReservationColumns.ints} (index into this list). */
export const STATUS_BY_CODE = RESERVATION_STATUSES;
