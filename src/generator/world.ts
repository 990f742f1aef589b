import { CATEGORIES, REGIONS, roundPrice, serviceName } from './catalog.ts';
import type { Rng } from '../shared/index.ts';

/** Dimension of the latent taste space shared by users and services. */
export const TASTE_DIMS = 8;

const DAY = 86_400;
const YEAR = 365 * DAY;

/** Most favourite categories a user has, and the padding of {@link Users.favourites}. */
export const MAX_FAVOURITES = 3;
export const NO_FAVOURITE = 255;

/** Gender codes in {@link Users.gender}. */
export const GENDER = { unknown: 0, M: 1, F: 2 } as const;

/** Customers, column-oriented (typed arrays keep 50k+ users cheap). Index i is the i-th earliest signup. */
export interface Users {
  readonly count: number;
  readonly ids: readonly string[];
  /** Epoch seconds, ascending. */
  readonly signupSec: Float64Array;
  /** Index into REGIONS where the user actually lives, known to the model even when not reported. */
  readonly homeRegion: Uint8Array;
  /** 1 when the region column is filled in the landing file. */
  readonly regionReported: Uint8Array;
  /** Reported gender, a {@link GENDER} code. */
  readonly gender: Uint8Array;
  /** 0 when not reported. */
  readonly birthYear: Int16Array;
  /** count × MAX_FAVOURITES category indices, NO_FAVOURITE-padded: the categories the user browses. */
  readonly favourites: Uint8Array;
  /** count × TASTE_DIMS; the norm is the user's pickiness (softmax inverse temperature). */
  readonly taste: Float32Array;
  readonly tasteNorm: Float32Array;
  /** Running sum of how often each user books (heavy-tailed, scaled by time on the platform). */
  readonly activityCum: Float64Array;
}

/** Providers' offerings, column-oriented. Index i is the i-th earliest created. */
export interface Services {
  readonly count: number;
  readonly ids: readonly string[];
  readonly names: readonly string[];
  readonly category: Uint8Array;
  readonly region: Uint8Array;
  /** KRW. */
  readonly price: Float64Array;
  /** Epoch seconds, ascending. */
  readonly createdSec: Float64Array;
  /** count × TASTE_DIMS unit vectors. */
  readonly factors: Float32Array;
  /** Relative booking appeal: Zipf-like (∝ 1 / rank over a random ranking) × share of the period it existed. */
  readonly popularity: Float64Array;
}

/** Everything the reservation model draws from. */
export interface World {
  readonly startSec: number;
  readonly endSec: number;
  readonly users: Users;
  readonly services: Services;
}

/** Options of {@link buildWorld}. */
export interface WorldOptions {
  readonly users: number;
  readonly services: number;
  readonly startSec: number;
  readonly endSec: number;
  readonly rng: Rng;
}

/** External ids; the numbering is stable, so clean rows do not depend on how many dirty rows exist. */
export function userId(index: number): string {
  return `U${String(index + 1).padStart(7, '0')}`;
}
export function serviceId(index: number): string {
  return `S${String(index + 1).padStart(6, '0')}`;
}

function cumulative(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
}

function normalise(v: Float64Array): Float64Array {
  let n = 0;
  for (const x of v) n += x * x;
  n = Math.sqrt(n) || 1;
  return v.map((x) => x / n);
}

function randomDirection(rng: Rng): Float64Array {
  return normalise(Float64Array.from({ length: TASTE_DIMS }, () => rng.normal()));
}

/** `count` sorted timestamps: a share before `start` (existing accounts), the rest growing towards `end`. */
function sortedTimes(rng: Rng, opts: { count: number; from: number; start: number; until: number; before: number }): Float64Array {
  const out = new Float64Array(opts.count);
  for (let i = 0; i < opts.count; i++) {
    // sqrt(u) gives a linearly increasing density: the platform is growing.
    const t = rng.next() < opts.before ? opts.from + rng.next() * (opts.start - opts.from) : opts.start + Math.sqrt(rng.next()) * (opts.until - opts.start);
    out[i] = Math.floor(t);
  }
  return out.sort();
}

function buildUsers(opts: WorldOptions, centroids: readonly Float64Array[]): Users {
  const { rng, users: count, startSec, endSec } = opts;
  const signupSec = sortedTimes(rng, { count, from: startSec - 2 * YEAR, start: startSec, until: endSec - DAY, before: 0.25 });
  const homeRegion = new Uint8Array(count);
  const regionReported = new Uint8Array(count);
  const gender = new Uint8Array(count);
  const birthYear = new Int16Array(count);
  const favourites = new Uint8Array(count * MAX_FAVOURITES).fill(NO_FAVOURITE);
  const taste = new Float32Array(count * TASTE_DIMS);
  const tasteNorm = new Float32Array(count);
  const activityCum = new Float64Array(count);
  const regionCum = cumulative(REGIONS.map((r) => r.userWeight));
  const favouriteCum = {
    M: cumulative(CATEGORIES.map((c) => c.weight * c.tilt.M)),
    F: cumulative(CATEGORIES.map((c) => c.weight * c.tilt.F)),
  };
  const span = endSec - startSec;
  let activitySum = 0;
  for (let u = 0; u < count; u++) {
    homeRegion[u] = rng.weightedIndex(regionCum);
    regionReported[u] = rng.chance(0.93) ? 1 : 0;
    // Gender steers tastes whether or not it is reported, so a missing value carries no signal by itself.
    const latentGender = rng.chance(0.48) ? 'M' : 'F';
    gender[u] = rng.chance(0.92) ? GENDER[latentGender] : GENDER.unknown;
    const age = Math.min(75, Math.round(18 + Math.exp(2.6 + 0.55 * rng.normal())));
    birthYear[u] = rng.chance(0.92) ? new Date((signupSec[u] ?? 0) * 1000).getUTCFullYear() - age : 0;

    // Taste = a blend of 1–3 favourite category directions plus personal noise, scaled by pickiness.
    const v = new Float64Array(TASTE_DIMS);
    const favouriteCount = 1 + (rng.chance(0.5) ? 1 : 0) + (rng.chance(0.2) ? 1 : 0);
    for (let f = 0; f < favouriteCount; f++) {
      const category = rng.weightedIndex(favouriteCum[latentGender]);
      favourites[u * MAX_FAVOURITES + f] = category;
      const c = centroids[category] as Float64Array;
      const w = f === 0 ? 1 : 0.4 + 0.4 * rng.next();
      for (let d = 0; d < TASTE_DIMS; d++) v[d] = (v[d] as number) + w * (c[d] as number);
    }
    for (let d = 0; d < TASTE_DIMS; d++) v[d] = (v[d] as number) + (0.5 * rng.normal()) / Math.sqrt(TASTE_DIMS);
    const pickiness = 2 + 2 * rng.next();
    const unit = normalise(v);
    for (let d = 0; d < TASTE_DIMS; d++) taste[u * TASTE_DIMS + d] = pickiness * (unit[d] as number);
    tasteNorm[u] = pickiness;

    // Lognormal appetite, capped so no single account dominates, times the share of the period it existed.
    const appetite = Math.min(Math.exp(1.5 * rng.normal()), 40);
    const activeShare = (endSec - Math.max(startSec, signupSec[u] ?? startSec)) / span;
    activitySum += appetite * activeShare;
    activityCum[u] = activitySum;
  }
  const ids = Array.from({ length: count }, (_, i) => userId(i));
  return { count, ids, signupSec, homeRegion, regionReported, gender, birthYear, favourites, taste, tasteNorm, activityCum };
}

function buildServices(opts: WorldOptions, centroids: readonly Float64Array[]): Services {
  const { rng, services: count, startSec, endSec } = opts;
  const createdSec = sortedTimes(rng, { count, from: startSec - 3 * YEAR, start: startSec, until: endSec - 14 * DAY, before: 0.6 });
  const category = new Uint8Array(count);
  const region = new Uint8Array(count);
  const price = new Float64Array(count);
  const factors = new Float32Array(count * TASTE_DIMS);
  const names: string[] = [];
  const categoryCum = cumulative(CATEGORIES.map((c) => c.weight));
  const regionCum = cumulative(REGIONS.map((r) => r.serviceWeight));
  for (let s = 0; s < count; s++) {
    const c = rng.weightedIndex(categoryCum);
    const r = rng.weightedIndex(regionCum);
    const cat = CATEGORIES[c] as (typeof CATEGORIES)[number];
    category[s] = c;
    region[s] = r;
    names.push(serviceName(rng, cat, REGIONS[r] as (typeof REGIONS)[number]));
    price[s] = roundPrice(rng, cat.medianPrice * Math.exp(cat.priceSigma * rng.normal()));
    // A service sits near its category's direction, with enough spread that two hair salons still differ.
    const centroid = centroids[c] as Float64Array;
    const v = normalise(centroid.map((x) => x + (0.6 * rng.normal()) / Math.sqrt(TASTE_DIMS)));
    factors.set(v, s * TASTE_DIMS);
  }
  // Zipf-like appeal over a random ranking, so that a storefront opened last month cannot be a top seller.
  const rank = rng.shuffle(Int32Array.from({ length: count }, (_, i) => i));
  const popularity = new Float64Array(count);
  for (let s = 0; s < count; s++) {
    const activeShare = (endSec - Math.max(startSec, createdSec[s] ?? startSec)) / (endSec - startSec);
    popularity[s] = Math.max(activeShare, 0.02) / ((rank[s] ?? 0) + 1);
  }
  const ids = Array.from({ length: count }, (_, i) => serviceId(i));
  return { count, ids, names, category, region, price, createdSec, factors, popularity };
}

/** Builds the simulated population: customers, providers, their latent tastes and the services' popularity. */
export function buildWorld(opts: WorldOptions): World {
  const centroids = CATEGORIES.map(() => randomDirection(opts.rng));
  const users = buildUsers(opts, centroids);
  const services = buildServices(opts, centroids);
  return { startSec: opts.startSec, endSec: opts.endSec, users, services };
}
