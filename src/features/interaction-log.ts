import { AppError, ErrorCode } from '../shared/index.ts';
import { FeedbackSignalRepo, FreshReservationRepo, InteractionRepo, type ReservationWatermark, type Warehouse } from '../warehouse/index.ts';
import type { ReservationStatus } from '../shared/index.ts';
import { IdIndex } from './id-index.ts';
import {
  DEFAULT_WEIGHTING,
  FEEDBACK_SIGNAL_TYPES,
  feedbackWeight,
  interactionWeight,
  type FeedbackSignalType,
  type FeedbackWeights,
  type InteractionWeighting,
} from './interaction-weights.ts';

/** How many stored feedback events of each type a log learned from, and how many it left out. */
export interface FeedbackUsage {
  /** Events with both a known user and a known service, by type (types that weigh 0 are not read: absent). */
  readonly used: Readonly<Partial<Record<FeedbackSignalType, number>>>;
  /** Events naming a user or service the warehouse did not know when they were stored (left out), by type. */
  readonly unknown: Readonly<Partial<Record<FeedbackSignalType, number>>>;
  /** Events used, all types. */
  readonly events: number;
  /** (user, service) pairs whose summed evidence netted to 0 or below because of cancels: they carry no weight. */
  readonly pairsCanceledOut: number;
  /** The newest feedback_id read (0 without events): with `used`, what the run's data snapshot records. */
  readonly newestId: number;
}

/**
 * Every weighted interaction read from the warehouse, one entry per reservation or feedback event that carries
 * weight, in typed arrays (the form models and splits work on). Dense user/item ids index `users`/`items`.
 * A pair's entries add up to its implicit-feedback weight: reservations and positive events plus negative events
 * (cancels), clamped at 0; negative evidence scales the pair's positive entries down (by net ÷ positive sum, so
 * each keeps its time for the temporal hold-out) or removes them when the pair nets to 0 or below.
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
  /** Present when feedback events were read (`feedback` option). */
  readonly feedback?: FeedbackUsage;
  /**
   * How far into fact_reservation the log reaches, read before its scan: every reservation at or below it is in
   * the log (a few above it may be too, when a load committed during the scan). A model records it so that
   * serving can add what arrived since without retraining.
   */
  readonly watermark?: ReservationWatermark;
}

/** Parses the warehouse's UTC text `YYYY-MM-DD HH:MM:SS.sss` (or a Date from a driver) to epoch ms. */
export function parseWarehouseTime(value: string | Date): number {
  if (value instanceof Date) return value.getTime();
  // The scan's hot path (one call per reservation): digits by char code, without a substring per field.
  const length = value.length;
  if (
    (length === 19 || length === 23) &&
    value.charCodeAt(4) === 45 &&
    value.charCodeAt(7) === 45 &&
    value.charCodeAt(10) === 32 &&
    value.charCodeAt(13) === 58 &&
    value.charCodeAt(16) === 58 &&
    (length === 19 || value.charCodeAt(19) === 46)
  ) {
    let digits = 0;
    const d = (i: number): number => {
      const c = value.charCodeAt(i) - 48;
      if (c < 0 || c > 9) digits = -1;
      return c;
    };
    const year = d(0) * 1000 + d(1) * 100 + d(2) * 10 + d(3);
    const month = d(5) * 10 + d(6);
    const day = d(8) * 10 + d(9);
    const ms =
      (d(11) * 10 + d(12)) * 3_600_000 + (d(14) * 10 + d(15)) * 60_000 + (d(17) * 10 + d(18)) * 1000 + (length === 23 ? d(20) * 100 + d(21) * 10 + d(22) : 0);
    if (digits === 0) return Date.UTC(year, month - 1, day) + ms;
  }
  const n = (from: number, to: number): number => Number(value.slice(from, to));
  return Date.UTC(n(0, 4), n(5, 7) - 1, n(8, 10), n(11, 13), n(14, 16), n(17, 19), value.length > 20 ? n(20, 23) : 0);
}

/**
 * Lookup of a warehouse key's dense id: an array indexed by key where the keys are small (surrogate keys count
 * up from 1, so this is the usual case: one array read per row instead of a hash lookup), else the map itself.
 */
export function keyLookup(byKey: ReadonlyMap<number, number>): (key: number) => number | undefined {
  let max = 0;
  for (const key of byKey.keys()) {
    if (!Number.isInteger(key) || key < 0) return (key) => byKey.get(key);
    max = Math.max(max, key);
  }
  if (max > 4 * byKey.size + 1024) return (key) => byKey.get(key);
  const dense = new Int32Array(max + 1).fill(-1);
  for (const [key, id] of byKey) dense[key] = id;
  return (key) => {
    const id = key >= 0 && key <= max ? dense[key]! : -1;
    return id >= 0 ? id : undefined;
  };
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
 * even without weighted interactions (cold users can then be recognised as known). With `feedback`, stored feedback
 * events are folded in with those weights (see {@link InteractionLog}); `since` bounds the reservations only.
 */
export async function loadInteractionLog(
  warehouse: Warehouse,
  options: { weighting?: InteractionWeighting; since?: string; feedback?: FeedbackWeights } = {},
): Promise<InteractionLog> {
  const weighting = options.weighting ?? DEFAULT_WEIGHTING;
  const watermark = await new FreshReservationRepo(warehouse.db).watermark();
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

  const signals = new FeedbackSignalRepo(warehouse.db, warehouse.dialect);
  const weights = options.feedback;
  const types = weights ? FEEDBACK_SIGNAL_TYPES.filter((t) => weights[t] !== 0) : [];
  // The counts come first and bound the scan, so both describe the same events while the API goes on storing.
  const counts = weights ? await signals.counts(types) : [];
  const newestId = counts.reduce((m, c) => Math.max(m, c.newestId), 0);

  const newest = await repo.newestReservation();
  const newestMs = newest ? parseWarehouseTime(newest) : 0;

  const initial = 1 << 16;
  const user = new Growable(new Int32Array(initial), (n) => new Int32Array(n));
  const item = new Growable(new Int32Array(initial), (n) => new Int32Array(n));
  const time = new Growable(new Float64Array(initial), (n) => new Float64Array(n));
  const value = new Growable(new Float32Array(initial), (n) => new Float32Array(n));
  let count = 0;
  const append = (u: number, i: number, t: number, w: number): void => {
    user.push(count, u);
    item.push(count, i);
    time.push(count, t);
    value.push(count, w);
    count++;
  };
  let missing: string | undefined;
  const userAt = keyLookup(userOfKey);
  const itemAt = keyLookup(itemOfKey);
  await repo.scanInteractions(options.since, ([userKey, serviceKey, status, rating, reservedAt]) => {
    const t = parseWarehouseTime(reservedAt);
    const w = interactionWeight(weighting, status as ReservationStatus, rating === null ? null : Number(rating), newestMs - t);
    if (w <= 0) return;
    const u = userAt(Number(userKey));
    const i = itemAt(Number(serviceKey));
    if (u === undefined || i === undefined) {
      missing ??= `user_key ${String(userKey)} / service_key ${String(serviceKey)}`;
      return;
    }
    append(u, i, t, w);
  });
  const feedback = weights ? await foldFeedback() : undefined;
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
    ...(feedback ? { feedback } : {}),
    watermark,
  };

  /** Appends the positive events as entries and sums the negative ones per pair, then applies them (see InteractionLog). */
  async function foldFeedback(): Promise<FeedbackUsage> {
    const used: Partial<Record<FeedbackSignalType, number>> = {};
    const unknown: Partial<Record<FeedbackSignalType, number>> = {};
    for (const c of counts) if (c.unknown > 0) unknown[c.type as FeedbackSignalType] = c.unknown;
    const nItems = items.size;
    const negative = new Map<number, number>();
    let events = 0;
    await signals.scanSignals(types, newestId, ([userKey, serviceKey, type, at]) => {
      const t = parseWarehouseTime(at);
      const kind = type as FeedbackSignalType;
      const u = userOfKey.get(Number(userKey));
      const i = itemOfKey.get(Number(serviceKey));
      if (u === undefined || i === undefined) {
        unknown[kind] = (unknown[kind] ?? 0) + 1;
        return;
      }
      used[kind] = (used[kind] ?? 0) + 1;
      events++;
      const w = feedbackWeight(weights!, weighting, kind, newestMs - t);
      if (w < 0) {
        const pair = u * nItems + i;
        negative.set(pair, (negative.get(pair) ?? 0) + w);
        return;
      }
      append(u, i, t, w);
    });
    let pairsCanceledOut = 0;
    if (negative.size > 0) {
      const positive = new Map<number, number>();
      for (let e = 0; e < count; e++) {
        const pair = user.data[e]! * nItems + item.data[e]!;
        if (negative.has(pair)) positive.set(pair, (positive.get(pair) ?? 0) + value.data[e]!);
      }
      const factor = new Map<number, number>();
      for (const [pair, neg] of negative) {
        const pos = positive.get(pair) ?? 0;
        const net = Math.max(0, pos + neg);
        if (net === 0) pairsCanceledOut++;
        factor.set(pair, pos > 0 ? net / pos : 0);
      }
      let kept = 0;
      for (let e = 0; e < count; e++) {
        const pair = user.data[e]! * nItems + item.data[e]!;
        const v = value.data[e]! * (factor.get(pair) ?? 1);
        if (v <= 0) continue;
        user.data[kept] = user.data[e]!;
        item.data[kept] = item.data[e]!;
        time.data[kept] = time.data[e]!;
        value.data[kept] = v;
        kept++;
      }
      count = kept;
    }
    const ordered = (c: Partial<Record<FeedbackSignalType, number>>) =>
      Object.fromEntries(FEEDBACK_SIGNAL_TYPES.filter((t) => c[t] !== undefined).map((t) => [t, c[t]!])) as Partial<Record<FeedbackSignalType, number>>;
    return { used: ordered(used), unknown: ordered(unknown), events, pairsCanceledOut, newestId };
  }
}
