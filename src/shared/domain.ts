/** Domain vocabulary shared by every stage (types only). */

/** The three kinds of landing file, named by their file-name prefix. */
export type LandingKind = 'users' | 'services' | 'reservations';

/** A reservation's lifecycle state. A later row with the same reservation_id moves it. */
export type ReservationStatus = 'reserved' | 'completed' | 'canceled';

export const RESERVATION_STATUSES: readonly ReservationStatus[] = ['reserved', 'completed', 'canceled'];
