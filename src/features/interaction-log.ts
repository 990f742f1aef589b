import { AppError, ErrorCode } from '../shared/index.ts';
import { InteractionRepo, type Warehouse } from '../warehouse/index.ts';
import type { ReservationStatus } from '../shared/index.ts';
import { IdIndex } from './id-index.ts';
import { DEFAULT_WEIGHTING, interactionWeight, type InteractionWeighting } from './interaction-weights.ts';

/**
 * Every weighted interaction read from the warehouse, one entry per reservation that carries weight, in
 * typed arrays (the form models and splits work on). Dense user/item ids index `users`/`items`.
 */
export interface InteractionLog {
  readonly users: IdIndex;
  readonly items: IdIndex;
  readonly count: number;
  readonly user: Int32Array;
  readonly item: Int32Array;
  /** Epoch milliseconds (UTC) of the reservation. */
  readonly time: Float64Array;
  readonly value: Float32Array;
  /** Region (warehouse region key) of each dense user, -1 when the user has none. */
  readonly userRegion: Int32Array;
}

/** Parses the warehouse's UTC text `YYYY-MM-DD HH:MM:SS.sss` (or a Date from a driver) to epoch ms. */
export function parseWarehouseTime(value: string | Date): number {
  if (value instanceof Date) return value.getTime();
  const n = (from: number, to: number): number => Number(value.slice(from, to));
  return Date.UTC(n(0, 4), n(5, 7) - 1, n(8, 10), n(11, 13), n(14, 16), n(17, 19), value.length > 20 ? n(20, 23) : 0);
}

class Growable<T extends Int32Array | Float32Array | Float64Array> {
  constructor(
    public data: T,
    private readonly make: (n: number) => T,
  ) {}
  push(at: number, v: number): void {
    if (at >= this.data.length) {
      const next = this.make(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[at] = v;
  }
}

/**
 * Streams `fact_reservation` (never all rows as objects at once) into an {@link InteractionLog}.
 * Users and services enter the id index in warehouse key order, so every user and service is present
 * even without weighted interactions (cold users can then be recognised as known).
 */
export async function loadInteractionLog(warehouse: Warehouse, options: { weighting?: InteractionWeighting; since?: string } = {}): Promise<InteractionLog> {
  const weighting = options.weighting ?? DEFAULT_WEIGHTING;
  const repo = new InteractionRepo(warehouse.db, warehouse.dialect);
  const users = new IdIndex();
  const userOfKey = new Map<number, number>();
  const regions: number[] = [];
  for (const r of await repo.users()) {
    const u = users.add(r.userId);
    userOfKey.set(r.userKey, u);
    regions[u] = r.regionKey ?? -1;
  }
  const items = new IdIndex();
  const itemOfKey = new Map<number, number>();
  for (const r of await repo.services()) itemOfKey.set(r.serviceKey, items.add(r.serviceId));

  const newest = await repo.newestReservation();
  const newestMs = newest ? parseWarehouseTime(newest) : 0;

  const initial = 1 << 16;
  const user = new Growable(new Int32Array(initial), (n) => new Int32Array(n));
  const item = new Growable(new Int32Array(initial), (n) => new Int32Array(n));
  const time = new Growable(new Float64Array(initial), (n) => new Float64Array(n));
  const value = new Growable(new Float32Array(initial), (n) => new Float32Array(n));
  let count = 0;
  let missing: string | undefined;
  await repo.scanInteractions(options.since, ([userKey, serviceKey, status, rating, reservedAt]) => {
    const t = parseWarehouseTime(reservedAt);
    const w = interactionWeight(weighting, status as ReservationStatus, rating === null ? null : Number(rating), newestMs - t);
    if (w <= 0) return;
    const u = userOfKey.get(Number(userKey));
    const i = itemOfKey.get(Number(serviceKey));
    if (u === undefined || i === undefined) {
      missing ??= `user_key ${String(userKey)} / service_key ${String(serviceKey)}`;
      return;
    }
    user.push(count, u);
    item.push(count, i);
    time.push(count, t);
    value.push(count, w);
    count++;
  });
  if (missing !== undefined) {
    throw new AppError(
      { code: ErrorCode.INTERNAL, httpStatus: 500, expected: false },
      `fact_reservation references ${missing} missing from the dimensions: the warehouse is inconsistent`,
    );
  }
  return {
    users,
    items,
    count,
    user: user.data.subarray(0, count),
    item: item.data.subarray(0, count),
    time: time.data.subarray(0, count),
    value: value.data.subarray(0, count),
    userRegion: Int32Array.from(regions),
  };
}
