import type { FactTuple, FeatServiceTable, FeatUserTable, PriceBand } from '../warehouse/index.ts';

/** How many categories `feat_user.favourite_category_keys` lists. */
const FAVOURITE_CATEGORIES = 3;

/** The dimension rows a feature row copies or derives from. */
export interface UserDim {
  readonly userKey: number;
  readonly regionKey: number | null;
  readonly birthYear: number | null;
}
export interface ServiceDim {
  readonly serviceKey: number;
  readonly categoryKey: number;
  readonly regionKey: number | null;
  readonly price: number;
}

/** A counter per integer key. */
interface Counter {
  add(key: number, by: number): void;
  get(key: number): number;
}

/** A growable per-key counter in one typed array (surrogate keys are dense from 1). */
class Counts implements Counter {
  data = new Float64Array(1024);
  add(key: number, by: number): void {
    if (key >= this.data.length) {
      const grown = new Float64Array(Math.max(key + 1, this.data.length * 2));
      grown.set(this.data);
      this.data = grown;
    }
    this.data[key] = this.data[key]! + by;
  }
  get(key: number): number {
    return this.data[key] ?? 0;
  }
}

/** The same for keys too many or too spread out for an array. */
class SparseCounts implements Counter {
  readonly #counts = new Map<number, number>();
  add(key: number, by: number): void {
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + by);
  }
  get(key: number): number {
    return this.#counts.get(key) ?? 0;
  }
}

/** Above this many (user, category) pairs the counts are kept in a map instead of an array. */
const MAX_DENSE_PAIRS = 4_000_000;

/**
 * Aggregates reservations into feature rows in one pass, in memory: what `feat_user` and `feat_service` hold for
 * a snapshot whose as-of time is `asOf` (the newest reservation), with the 7- and 30-day windows starting at the
 * cut-offs (inclusive). Pure: the caller streams the facts in (any order) and the dimension rows out. Only facts
 * with `reserved_at <= asOf` count. Users' facts and services' facts may come from different scans (an incremental
 * build reads the facts of some users and of some services); a full build feeds every fact to both.
 *
 * Numbers match what SQL aggregates would give: counts are integers, and rates and means are one IEEE division of
 * exact integer sums (ratings are integers 1–5), as `avg(rating * 1e0)` and `completed * 1e0 / total` compute.
 */
export class FeatureAggregator {
  readonly #asOf: string | null;
  readonly #cutoff7: string;
  readonly #cutoff30: string;
  /** Service key → dense category index (-1: a service with no row in dim_service), and index → category key. */
  readonly #categoryIndexOf: Int32Array;
  readonly #categories: readonly number[];
  readonly #userTotal = new Counts();
  readonly #userCompleted = new Counts();
  readonly #userCanceled = new Counts();
  /** user key → newest reserved_at (UTC text compares like time). */
  readonly #userLast: string[] = [];
  /** Completed reservations per (user key × categories + category index). */
  readonly #userCategories: Counter;
  readonly #serviceTotal = new Counts();
  readonly #serviceLast7 = new Counts();
  readonly #serviceLast30 = new Counts();
  readonly #serviceNotCanceled = new Counts();
  readonly #serviceCompleted = new Counts();
  readonly #serviceCanceled = new Counts();
  readonly #ratingSum = new Counts();
  readonly #ratingCount = new Counts();

  /** `categoryOf`: service key → category key (favourite categories of users); `maxUserKey`: the highest user key. */
  constructor(o: { asOf: string | null; cutoff7: string; cutoff30: string; categoryOf: ReadonlyMap<number, number>; maxUserKey: number }) {
    this.#asOf = o.asOf;
    this.#cutoff7 = o.cutoff7;
    this.#cutoff30 = o.cutoff30;
    const categories = [...new Set(o.categoryOf.values())].sort((a, b) => a - b);
    const indexOfCategory = new Map(categories.map((c, i) => [c, i]));
    this.#categories = categories;
    this.#categoryIndexOf = new Int32Array(Math.max(0, ...o.categoryOf.keys()) + 1).fill(-1);
    for (const [serviceKey, categoryKey] of o.categoryOf) this.#categoryIndexOf[serviceKey] = indexOfCategory.get(categoryKey)!;
    this.#userCategories = (o.maxUserKey + 1) * categories.length <= MAX_DENSE_PAIRS ? new Counts() : new SparseCounts();
  }

  /** Counts one fact towards its user's features. */
  addUserFact(fact: FactTuple): void {
    const userKey = fact[0];
    const reservedAt = fact[3];
    if (this.#asOf !== null && reservedAt > this.#asOf) return;
    this.#userTotal.add(userKey, 1);
    const last = this.#userLast[userKey];
    if (last === undefined || reservedAt > last) this.#userLast[userKey] = reservedAt;
    const status = fact[2];
    if (status === 'canceled') this.#userCanceled.add(userKey, 1);
    else if (status === 'completed') {
      this.#userCompleted.add(userKey, 1);
      // A fact whose service is gone from dim_service joins to no category.
      const category = this.#categoryIndexOf[fact[1]] ?? -1;
      if (category >= 0) this.#userCategories.add(userKey * this.#categories.length + category, 1);
    }
  }

  /** Counts one fact towards its service's features. */
  addServiceFact(fact: FactTuple): void {
    const [, serviceKey, status, reservedAt, rating] = fact;
    if (this.#asOf !== null && reservedAt > this.#asOf) return;
    this.#serviceTotal.add(serviceKey, 1);
    if (rating !== null) {
      this.#ratingSum.add(serviceKey, Number(rating));
      this.#ratingCount.add(serviceKey, 1);
    }
    if (status === 'canceled') {
      this.#serviceCanceled.add(serviceKey, 1);
      return;
    }
    if (status === 'completed') this.#serviceCompleted.add(serviceKey, 1);
    this.#serviceNotCanceled.add(serviceKey, 1);
    if (reservedAt >= this.#cutoff30) this.#serviceLast30.add(serviceKey, 1);
    if (reservedAt >= this.#cutoff7) this.#serviceLast7.add(serviceKey, 1);
  }

  /** Counts one fact towards both (a full build). */
  addFact(fact: FactTuple): void {
    this.addUserFact(fact);
    this.addServiceFact(fact);
  }

  /** feat_user rows of `users`, aged in `referenceYear`. */
  userRows(snapshotId: number, users: readonly UserDim[], referenceYear: number): FeatUserTable[] {
    return users.map((u) => {
      const reservations = this.#userTotal.get(u.userKey);
      const canceled = this.#userCanceled.get(u.userKey);
      return {
        snapshotId,
        userKey: u.userKey,
        reservations,
        completed: this.#userCompleted.get(u.userKey),
        canceled,
        cancelRate: reservations === 0 ? 0 : canceled / reservations,
        lastReservedAt: this.#userLast[u.userKey] ?? null,
        regionKey: u.regionKey,
        ageBand: ageBand(u.birthYear, referenceYear),
        favouriteCategoryKeys: this.#topCategories(u.userKey),
      };
    });
  }

  /** `'4,1,7'`: the user's most completed categories, ties broken by the lower key; `''` when none. */
  #topCategories(userKey: number): string {
    const counted: [categoryKey: number, n: number][] = [];
    const base = userKey * this.#categories.length;
    for (let c = 0; c < this.#categories.length; c++) {
      const n = this.#userCategories.get(base + c);
      if (n > 0) counted.push([this.#categories[c]!, n]);
    }
    return counted
      .sort((a, b) => b[1] - a[1] || a[0] - b[0])
      .slice(0, FAVOURITE_CATEGORIES)
      .map(([category]) => category)
      .join(',');
  }

  /**
   * feat_service rows of `services`; `peers` are every service (price bands are terciles within a category:
   * a service whose category has n services, c of them cheaper, is low when 3c < n, mid when 3c < 2n).
   */
  serviceRows(snapshotId: number, services: readonly ServiceDim[], peers: readonly ServiceDim[]): FeatServiceTable[] {
    const pricesByCategory = new Map<number, number[]>();
    for (const p of peers) {
      const list = pricesByCategory.get(p.categoryKey);
      if (list === undefined) pricesByCategory.set(p.categoryKey, [p.price]);
      else list.push(p.price);
    }
    for (const list of pricesByCategory.values()) list.sort((a, b) => a - b);
    return services.map((s) => {
      const key = s.serviceKey;
      const total = this.#serviceTotal.get(key);
      const completed = this.#serviceCompleted.get(key);
      const canceled = this.#serviceCanceled.get(key);
      const ratingCount = this.#ratingCount.get(key);
      const prices = pricesByCategory.get(s.categoryKey) ?? [s.price];
      const cheaper = lowerBound(prices, s.price);
      const band: PriceBand = 3 * cheaper < prices.length ? 'low' : 3 * cheaper < 2 * prices.length ? 'mid' : 'high';
      return {
        snapshotId,
        serviceKey: key,
        reservationsLast7d: this.#serviceLast7.get(key),
        reservationsLast30d: this.#serviceLast30.get(key),
        reservationsAll: this.#serviceNotCanceled.get(key),
        completed,
        canceled,
        completionRate: total === 0 ? 0 : completed / total,
        cancelRate: total === 0 ? 0 : canceled / total,
        ratingMean: ratingCount === 0 ? null : this.#ratingSum.get(key) / ratingCount,
        ratingCount,
        categoryKey: s.categoryKey,
        regionKey: s.regionKey,
        priceBand: band,
      };
    });
  }
}

/**
 * Age band `'20-29'` of someone born in `birthYear`, in `referenceYear`; null when unknown or in the future.
 */
export function ageBand(birthYear: number | null, referenceYear: number): string | null {
  if (birthYear === null) return null;
  const age = referenceYear - birthYear;
  if (age < 0) return null;
  const low = Math.floor(age / 10) * 10;
  return `${low}-${low + 9}`;
}

/** Index of the first element of sorted `values` that is not less than `x`: how many are strictly less. */
function lowerBound(values: readonly number[], x: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
