import { RESERVATION_INTS, STATUS_BY_CODE, type DimensionKeys, type ReservationColumns, type ReservationRow } from '../shared/index.ts';

/** The user and service key of each row, side by side; every referenced user and service must be known. */
export function referenceKeysOf(rows: readonly ReservationRow[], keys: DimensionKeys): Int32Array {
  const out = new Int32Array(rows.length * 2);
  rows.forEach((r, i) => {
    const userKey = keys.users.get(r.userId);
    const serviceKey = keys.services.get(r.serviceId);
    if (userKey === undefined || serviceKey === undefined) {
      throw new Error(
        `reservation '${r.reservationId}' references ${userKey === undefined ? `user '${r.userId}'` : `service '${r.serviceId}'`}, which has no key`,
      );
    }
    out[i * 2] = userKey;
    out[i * 2 + 1] = serviceKey;
  });
  return out;
}

/** Validated rows and their resolved `referenceKeys` (user key, service key per row) → columns. */
export function reservationColumns(rows: readonly ReservationRow[], referenceKeys: Int32Array): ReservationColumns {
  if (referenceKeys.length !== rows.length * 2)
    throw new Error(`${rows.length} reservations need ${rows.length * 2} reference keys, got ${referenceKeys.length}`);
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
