import { isReject, referenceKeysOf, reservationColumns, reservationValidator, type RowRules } from '../preprocess/index.ts';
import { type ReservationRow } from '../shared/index.ts';
import { IngestRepo, keyChunks, StarWriter, type Warehouse } from '../warehouse/index.ts';

const COLUMNS = ['reservation_id', 'user_id', 'service_id', 'status', 'reserved_at', 'rating'];
const INDEX = Object.fromEntries(COLUMNS.map((c, i) => [c, i]));

export interface RetryQuarantineResult {
  /** Pending rows examined. */
  readonly examined: number;
  /** Rows now loaded into fact_reservation. */
  readonly loaded: number;
  /** Rows dropped from the pending list because a newer file already set that reservation. */
  readonly superseded: number;
  /** Rows still waiting for their user or service. */
  readonly stillPending: number;
}

/**
 * Re-validates reservations that were quarantined only because their user or service was unknown, and
 * loads those whose keys now exist, in one transaction. A pending row never overwrites a reservation
 * that a newer file has already written (its ledger file id is higher). `now` is the UTC text stamped on
 * written rows; `rules` the same timestamp checks as a load.
 */
export async function retryQuarantine(options: { warehouse: Warehouse; now: string; rules: RowRules }): Promise<RetryQuarantineResult> {
  const { warehouse } = options;
  const validate = reservationValidator(INDEX, options.rules);
  return warehouse.db.transaction().execute(async (trx) => {
    const repo = new IngestRepo(trx);
    const pending = await repo.pending();
    if (pending.length === 0) return { examined: 0, loaded: 0, superseded: 0, stillPending: 0 };
    const keys = await new StarWriter({ db: trx, dialect: warehouse.dialect, fileId: 0, now: options.now }).keyMaps();
    const resolved = new Map<number, { pendingKeys: number[]; rows: ReservationRow[] }>();
    let stillPending = 0;
    for (const p of pending) {
      const row = validate([p.reservationId, p.userId, p.serviceId, p.status, p.reservedAt, p.rating]);
      if (isReject(row) || !keys.users.has(row.userId) || !keys.services.has(row.serviceId)) {
        stillPending++;
        continue;
      }
      const group = resolved.get(p.fileId) ?? { pendingKeys: [], rows: [] };
      group.pendingKeys.push(p.pendingKey);
      group.rows.push(row);
      resolved.set(p.fileId, group);
    }
    let loaded = 0;
    let superseded = 0;
    for (const [fileId, group] of resolved) {
      const newer = new Set<string>();
      for (const chunk of keyChunks(group.rows))
        for (const id of await repo.setByLaterFile(
          chunk.map((r) => r.reservationId),
          fileId,
        ))
          newer.add(id);
      const rows = group.rows.filter((r) => !newer.has(r.reservationId));
      superseded += group.rows.length - rows.length;
      const writer = new StarWriter({ db: trx, dialect: warehouse.dialect, fileId, now: options.now });
      await writer.writeReservations(reservationColumns(rows, referenceKeysOf(rows, keys)));
      await writer.finish();
      loaded += rows.length;
      for (const chunk of keyChunks(group.pendingKeys)) await repo.deletePending(chunk);
    }
    return { examined: pending.length, loaded, superseded, stillPending };
  });
}
