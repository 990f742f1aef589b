import type { ReservationRow } from './rows.ts';
import { RESERVATION_STATUSES } from '../shared/domain.ts';

/** Natural → surrogate keys of the dimensions a reservation references. */
export interface DimensionKeys {
  readonly users: ReadonlyMap<string, number>;
  readonly services: ReadonlyMap<string, number>;
}

/**
 * Reservations ready to write, column-wise (pure data, here beside the rows it packs, so that the parse worker
 * needs no database code): the two strings of each row side by side and every other field
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

/** The user and service key of each row, side by side; every referenced user and service must be known. */
export function referenceKeysOf(rows: readonly ReservationRow[], keys: DimensionKeys): Int32Array {
  const out = new Int32Array(rows.length * 2);
  rows.forEach((r, i) => {
    const userKey = keys.users.get(r.userId);
    const serviceKey = keys.services.get(r.serviceId);
    if (userKey === undefined || serviceKey === undefined) {
      throw new Error(`reservation '${r.reservationId}' references ${userKey === undefined ? `user '${r.userId}'` : `service '${r.serviceId}'`}, which has no key`);
    }
    out[i * 2] = userKey;
    out[i * 2 + 1] = serviceKey;
  });
  return out;
}

/** Validated rows and their resolved `referenceKeys` (user key, service key per row) → columns. */
export function reservationColumns(rows: readonly ReservationRow[], referenceKeys: Int32Array): ReservationColumns {
  if (referenceKeys.length !== rows.length * 2) throw new Error(`${rows.length} reservations need ${rows.length * 2} reference keys, got ${referenceKeys.length}`);
  const strings = new Array<string>(rows.length * 2);
  const ints = new Int32Array(rows.length * RESERVATION_INTS);
  for (let i = 0, s = 0, p = 0; i < rows.length; i++, s += 2, p += RESERVATION_INTS) {
    const r = rows[i]!;
    strings[s] = r.reservationId;
    strings[s + 1] = r.reservedAt;
    ints[p] = referenceKeys[s]!;
    ints[p + 1] = referenceKeys[s + 1]!;
    ints[p + 2] = r.dateKey;
    ints[p + 3] = STATUS_BY_CODE.indexOf(r.status);
    ints[p + 4] = r.rating ?? 0;
  }
  return { n: rows.length, strings, ints };
}
