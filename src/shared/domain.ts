/** Domain vocabulary shared by every stage: landing kinds, the validated row model, reservations packed column-wise. */

/** The three kinds of landing file, named by their file-name prefix. */
export type LandingKind = 'users' | 'services' | 'reservations';

/** A reservation's lifecycle state. A later row with the same reservation_id moves it. */
export type ReservationStatus = 'reserved' | 'completed' | 'canceled';

export const RESERVATION_STATUSES: readonly ReservationStatus[] = ['reserved', 'completed', 'canceled'];

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
