/**
 * The reservation model. Each reservation is drawn as follows:
 *
 * 1. Each reservation's user is drawn by activity (lognormal appetite × share of the period since signup), so
 *    most users book a few times and a few book a lot; this fixes n_u, the bookings of user u.
 * 2. User u gets a consideration set of K_u = 32 + 4·n_u services (capped at 4096), drawn from a mixture of
 *    popularity tables, as someone browsing the app would meet them:
 *      q_u(s) = 0.50·pop(s | u's district) + 0.08·pop(s | u's metro area) + 0.07·pop(s)
 *             + 0.35·pop(s | one of u's 1–3 favourite categories, in u's district (2/3) or metro area (1/3)),
 *    where pop is Zipf-like (∝ 1/rank) — this is where REGION AFFINITY and POPULARITY come from.
 * 3. Each of u's bookings picks from the set with probability softmax(θ_u · φ_s), where θ_u (user taste,
 *    norm = pickiness) and φ_s (unit service factor near its category's direction) live in 8 dimensions — this
 *    is LATENT TASTE. Steps 2–3 are sampling-importance-resampling: each booking approximates
 *    P(s | u) ∝ q(s)·exp(θ_u · φ_s), at O(K_u·d) per user instead of O(#services·d) per booking. Sharing the set
 *    across a user's bookings also yields the repeat bookings (same salon again) real platforms see.
 * 4. The time is uniform over the days after max(period start, signup, service creation), with the hour drawn
 *    from a Korean (UTC+9) daily booking profile.
 * 5. Status: bookings in the last three weeks are often still `reserved` (the visit is upcoming); otherwise
 *    13 % are `canceled` and the rest `completed`. About 30 % of completed visits get a rating,
 *    round(3.2 + 2·cos(θ_u, φ_s) + 0.8·ε) clamped to 1–5, so ratings agree with taste.
 * 6. About 1 % of finished reservations are first written as `reserved` and followed by a later row with the same
 *    id carrying the final status (ingestion treats a repeated reservation_id as an update).
 */
import { ValidationError } from '../shared/index.ts';
import type { Rng } from '../shared/index.ts';
import { buildCandidateTables } from './candidate-tables.ts';
import { CATEGORIES, REGIONS } from './catalog.ts';
import { MAX_FAVOURITES, NO_FAVOURITE, TASTE_DIMS, type World } from './world.ts';

/** Reservation statuses of the landing contract, indexed by the codes stored in {@link ReservationPlan}. */
export const STATUSES = ['reserved', 'completed', 'canceled'] as const;
export type ReservationStatus = (typeof STATUSES)[number];
const RESERVED = 0;
const COMPLETED = 1;
const CANCELED = 2;

const POOL_BASE = 32;
const POOL_PER_BOOKING = 4;
const POOL_MAX = 4096;
// Consideration-set mixture (step 2); the remaining 0.35 browses the user's favourite categories.
const P_HOME = 0.5;
const P_METRO = 0.08;
const P_GLOBAL = 0.07;
const CANCEL_RATE = 0.13;
const RATED_SHARE = 0.3;
const UPDATE_SHARE = 0.0105;
const UPCOMING_WINDOW = 21 * 86_400;

/** Relative booking volume per hour of the day in Korea (KST = UTC+9), as a running sum over UTC hours. */
const HOUR_CUM = (() => {
  const kst = [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.8, 1.5, 2.5, 3.5, 4.5, 5, 5, 4.5, 4, 4, 4, 4.5, 5, 5.5, 5.5, 4.5, 3, 2];
  const cum = new Float64Array(24);
  let sum = 0;
  for (let utc = 0; utc < 24; utc++) cum[utc] = sum += kst[(utc + 9) % 24] as number;
  return cum;
})();

/** Later rows that restate a reservation with its final status, sorted by when they are written. */
export interface StatusUpdates {
  readonly count: number;
  /** Index of the reservation (in {@link ReservationPlan} order) being updated. */
  readonly ref: Int32Array;
  /** Epoch seconds when the update happens; decides where the row goes in the file. */
  readonly atSec: Float64Array;
  readonly status: Uint8Array;
  readonly rating: Uint8Array;
}

/** Reservations in time order, column-oriented. Status codes index {@link STATUSES}; rating 0 means none. */
export interface ReservationPlan {
  readonly count: number;
  readonly user: Int32Array;
  readonly service: Int32Array;
  /** Epoch seconds, ascending. */
  readonly timeSec: Float64Array;
  /** Status written in the reservation's first row. */
  readonly status: Uint8Array;
  readonly rating: Uint8Array;
  readonly updates: StatusUpdates;
}

/** Ascending order of `keys` (integers in [0, range)), by packing index into a float key when exact, else by comparator. */
function sortOrder(keys: Float64Array, range: number): Int32Array {
  const n = keys.length;
  if (range * n < Number.MAX_SAFE_INTEGER) {
    const packed = new Float64Array(n);
    for (let i = 0; i < n; i++) packed[i] = (keys[i] as number) * n + i;
    packed.sort();
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const p = packed[i] as number;
      order[i] = p - Math.floor(p / n) * n;
    }
    return order;
  }
  return Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => (keys[a] as number) - (keys[b] as number) || a - b);
}

function permute<A extends Int32Array | Float64Array | Float32Array>(values: A, order: Int32Array): A {
  const out = values.slice() as A;
  for (let i = 0; i < order.length; i++) out[i] = values[order[i] as number] as number;
  return out;
}

function drawTime(rng: Rng, lo: number, hi: number): number {
  const day = Math.floor((lo + rng.next() * (hi - lo)) / 86_400) * 86_400;
  const t = day + rng.weightedIndex(HOUR_CUM) * 3600 + Math.floor(rng.next() * 3600);
  // Only the first and last day of the window can miss; those fall back to a uniform time.
  return t >= lo && t < hi ? t : Math.floor(lo + rng.next() * (hi - lo));
}

/** Steps 1–4: who books what, when, grouped by user (sorted by time afterwards). */
function drawChoices(world: World, count: number, rng: Rng) {
  const { users, services } = world;
  // Step 1 as a multinomial: how many reservations each user makes.
  const perUser = new Int32Array(users.count);
  for (let r = 0; r < count; r++) {
    const u = rng.weightedIndex(users.activityCum);
    perUser[u] = (perUser[u] as number) + 1;
  }
  let largest = 0;
  for (const n of perUser) largest = Math.max(largest, n);

  const user = new Int32Array(count);
  const service = new Int32Array(count);
  const timeSec = new Float64Array(count);
  const affinity = new Float32Array(count);
  if (count === 0) return { user, service, timeSec, affinity };
  const poolCap = Math.min(POOL_MAX, POOL_BASE + POOL_PER_BOOKING * largest);
  const pool = new Int32Array(poolCap);
  const logit = new Float64Array(poolCap);
  const weightCum = new Float64Array(poolCap);
  const tables = buildCandidateTables(services);
  const groupOf = REGIONS.map((r) => r.group);
  const nCat = CATEGORIES.length;
  // Hot loop: hoist every array out of the objects and copy the user's taste into a local vector.
  const { taste, homeRegion, tasteNorm, signupSec, favourites } = users;
  const { factors, createdSec } = services;
  const theta = new Float64Array(TASTE_DIMS);
  const browse = Array.from({ length: 3 * MAX_FAVOURITES }, () => tables.global);
  let r = 0;
  for (let u = 0; u < users.count; u++) {
    const bookings = perUser[u] as number;
    if (bookings === 0) continue;
    const home = homeRegion[u] as number;
    const local = tables.byRegion[home] ?? tables.global;
    const metro = tables.byGroup[groupOf[home] ?? 0] ?? tables.global;
    let favouriteCount = 0;
    for (let f = 0; f < MAX_FAVOURITES; f++) {
      const c = favourites[u * MAX_FAVOURITES + f] as number;
      if (c === NO_FAVOURITE) continue;
      // Two chances in three to look in the district, one in the wider metro area.
      const inDistrict = tables.byRegionCategory[home * nCat + c] ?? local;
      browse[favouriteCount++] = inDistrict;
      browse[favouriteCount++] = inDistrict;
      browse[favouriteCount++] = tables.byGroupCategory[(groupOf[home] ?? 0) * nCat + c] ?? metro;
    }
    for (let d = 0; d < TASTE_DIMS; d++) theta[d] = taste[u * TASTE_DIMS + d] as number;
    // Step 2: the consideration set.
    const size = Math.min(poolCap, POOL_BASE + POOL_PER_BOOKING * bookings);
    let best = -Infinity;
    for (let k = 0; k < size; k++) {
      const x = rng.next();
      const tbl =
        x < P_HOME
          ? local
          : x < P_HOME + P_METRO
            ? metro
            : x < P_HOME + P_METRO + P_GLOBAL
              ? tables.global
              : (browse[Math.floor(rng.next() * favouriteCount)] ?? local);
      const s = tbl.ids[tbl.popularity.sample(rng)] as number;
      const so = s * TASTE_DIMS;
      let dot = 0;
      for (let d = 0; d < TASTE_DIMS; d++) dot += (theta[d] as number) * (factors[so + d] as number);
      pool[k] = s;
      logit[k] = dot;
      if (dot > best) best = dot;
    }
    // Step 3: softmax over the set, one draw per booking.
    let sum = 0;
    for (let k = 0; k < size; k++) weightCum[k] = sum += Math.exp((logit[k] as number) - best);
    const cum = weightCum.subarray(0, size);
    const lo0 = Math.max(world.startSec, signupSec[u] as number);
    for (let b = 0; b < bookings; b++, r++) {
      const k = rng.weightedIndex(cum);
      const s = pool[k] as number;
      user[r] = u;
      service[r] = s;
      affinity[r] = (logit[k] as number) / (tasteNorm[u] as number);
      timeSec[r] = drawTime(rng, Math.max(lo0, createdSec[s] as number), world.endSec);
    }
  }
  return { user, service, timeSec, affinity };
}

function drawRating(rng: Rng, affinity: number): number {
  return Math.min(5, Math.max(1, Math.round(3.2 + 2 * affinity + 0.8 * rng.normal())));
}

/** Steps 5–6 over reservations already in time order. */
function drawOutcomes(rng: Rng, world: World, timeSec: Float64Array, affinity: Float32Array) {
  const { startSec, endSec } = world;
  const n = timeSec.length;
  const status = new Uint8Array(n);
  const rating = new Uint8Array(n);
  const upd = { ref: [] as number[], atSec: [] as number[], status: [] as number[], rating: [] as number[] };
  for (let i = 0; i < n; i++) {
    const t = timeSec[i] as number;
    const untilEnd = endSec - t;
    const pUpcoming = untilEnd < UPCOMING_WINDOW ? 0.9 * (1 - untilEnd / UPCOMING_WINDOW) : 0;
    if (rng.chance(pUpcoming)) {
      status[i] = RESERVED;
      continue;
    }
    const final = rng.chance(CANCEL_RATE) ? CANCELED : COMPLETED;
    const stars = final === COMPLETED && rng.chance(RATED_SHARE) ? drawRating(rng, affinity[i] as number) : 0;
    if (rng.chance(UPDATE_SHARE)) {
      const at = t + Math.max(600, Math.round(3600 * Math.exp(Math.log(36) + 0.8 * rng.normal())));
      if (at < endSec) {
        upd.ref.push(i);
        upd.atSec.push(at);
        upd.status.push(final);
        upd.rating.push(stars);
        status[i] = RESERVED;
        continue;
      }
    }
    status[i] = final;
    rating[i] = stars;
  }
  const order = sortOrder(
    Float64Array.from(upd.atSec, (t) => t - startSec),
    endSec - startSec + 1,
  );
  const pick = (xs: number[]) => Array.from(order, (j) => xs[j] as number);
  const updates: StatusUpdates = {
    count: order.length,
    ref: Int32Array.from(pick(upd.ref)),
    atSec: Float64Array.from(pick(upd.atSec)),
    status: Uint8Array.from(pick(upd.status)),
    rating: Uint8Array.from(pick(upd.rating)),
  };
  return { status, rating, updates };
}

/** Options of {@link planReservations}. */
export interface PlanOptions {
  readonly count: number;
  readonly rng: Rng;
}

/** Draws `count` reservations (plus their status updates) from the model documented at the top of this file. */
export function planReservations(world: World, opts: PlanOptions): ReservationPlan {
  if (opts.count > 0 && (world.users.count === 0 || world.services.count === 0)) {
    throw new ValidationError('reservations need at least one user and one service');
  }
  const drawn = drawChoices(world, opts.count, opts.rng.fork());
  const span = world.endSec - world.startSec;
  const order = sortOrder(
    drawn.timeSec.map((t) => t - world.startSec),
    span + 1,
  );
  const timeSec = permute(drawn.timeSec, order);
  const affinity = permute(drawn.affinity, order);
  const outcomes = drawOutcomes(opts.rng.fork(), world, timeSec, affinity);
  return {
    count: opts.count,
    user: permute(drawn.user, order),
    service: permute(drawn.service, order),
    timeSec,
    ...outcomes,
  };
}
