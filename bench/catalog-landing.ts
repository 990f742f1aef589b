/**
 * Landing files (users.csv, services.csv, reservations.csv) of the Gowalla check-in set's shape in LightGCN's
 * split: 29 858 users × 40 981 services × 810 128 distinct user–service pairs, for timing models at a large
 * catalogue. Unlike `pickwise generate` (a simulated services business, whose users rebook favourites, so that
 * its pairs are fewer than its rows), every reservation here is a new pair, completed and unrated, so the
 * matrix has exactly the wanted shape and number of non-zeros:
 * - user activity is long-tailed: a Pareto tail above 10 reservations (Gowalla's 10-core), mean ≈ 27;
 * - service popularity is a power law, ∝ 1 / (rank + 200), every service reserved at least once;
 * - times are spread over 2024 in random order, so a hold-out of each user's latest reservations is a random
 *   sample of their pairs.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Rng } from '../src/shared/rng.ts';

/** The shape of Gowalla in LightGCN's split. */
export const GOWALLA_SHAPE = { users: 29_858, services: 40_981, reservations: 810_128 } as const;

/** Writes the three landing files into `dir`; returns their row counts. */
export async function writeCatalogLanding(
  dir: string,
  shape: { users: number; services: number; reservations: number } = GOWALLA_SHAPE,
  seed = 42,
): Promise<{ users: number; services: number; reservations: number }> {
  const { users, services, reservations } = shape;
  const rng = new Rng(seed);
  const counts = userActivity(rng, users, reservations, services);
  const popularity = new Float64Array(services);
  let total = 0;
  for (let s = 0; s < services; s++) popularity[s] = total += 1 / (s + 200);
  // A random ranking: service ids carry no popularity order.
  const rankToService = shuffle(rng, services);
  const owner = shuffle(rng, reservations); // slot of the reservation giving service s its first user
  const slotUser = new Int32Array(reservations);
  for (let u = 0, at = 0; u < users; u++) for (let c = 0; c < counts[u]!; c++) slotUser[at++] = u;
  const pairs = new Set<number>();
  const item = new Int32Array(reservations);
  for (let s = 0; s < services && s < reservations; s++) {
    item[owner[s]!] = s;
    pairs.add(slotUser[owner[s]!]! * services + s);
  }
  const firstUse = new Uint8Array(reservations);
  for (let s = 0; s < services && s < reservations; s++) firstUse[owner[s]!] = 1;
  for (let r = 0; r < reservations; r++) {
    if (firstUse[r]) continue;
    const u = slotUser[r]!;
    let s: number;
    do s = rankToService[lowerBound(popularity, rng.next() * total)]!;
    while (pairs.has(u * services + s));
    pairs.add(u * services + s);
    item[r] = s;
  }
  await mkdir(dir, { recursive: true });
  const id = (p: string, n: number, width: number) => `${p}${String(n + 1).padStart(width, '0')}`;
  const userLines = ['user_id,signup_at,gender,birth_year,region'];
  for (let u = 0; u < users; u++) userLines.push(`${id('U', u, 7)},2023-01-01T00:00:00Z,,,Seoul-Mapo`);
  const serviceLines = ['service_id,name,category,region,price,created_at'];
  for (let s = 0; s < services; s++) serviceLines.push(`${id('S', s, 6)},Place ${s + 1},fitness,Seoul-Mapo,30000,2023-01-01T00:00:00Z`);
  // Reservation times: one per slot, a random permutation of the year's seconds, so every user's are in random order.
  const order = shuffle(rng, reservations);
  const step = Math.floor((366 * 86_400) / reservations);
  const start = Date.UTC(2024, 0, 1) / 1000;
  const lines = ['reservation_id,user_id,service_id,status,reserved_at,rating'];
  const byTime = new Int32Array(reservations);
  for (let r = 0; r < reservations; r++) byTime[order[r]!] = r;
  for (let t = 0; t < reservations; t++) {
    const r = byTime[t]!;
    const at = new Date((start + t * step) * 1000).toISOString().slice(0, 19);
    lines.push(`${id('R', t, 9)},${id('U', slotUser[r]!, 7)},${id('S', item[r]!, 6)},completed,${at}Z,`);
  }
  await writeFile(path.join(dir, 'users.csv'), `${userLines.join('\n')}\n`);
  await writeFile(path.join(dir, 'services.csv'), `${serviceLines.join('\n')}\n`);
  await writeFile(path.join(dir, 'reservations.csv'), `${lines.join('\n')}\n`);
  return { users, services, reservations };
}

/** Per-user reservation counts: 10 + a Pareto tail (α 1.6), capped at a tenth of the catalogue, summing to `total`. */
function userActivity(rng: Rng, users: number, total: number, services: number): Int32Array {
  const cap = Math.max(10, Math.floor(services / 10));
  const raw = new Float64Array(users);
  let sum = 0;
  for (let u = 0; u < users; u++) sum += raw[u] = Math.min(cap, 10 * (1 - rng.next()) ** (-1 / 1.6));
  const counts = new Int32Array(users);
  let assigned = 0;
  for (let u = 0; u < users; u++) assigned += counts[u] = Math.max(1, Math.min(cap, Math.round((raw[u]! * total) / sum)));
  // Rounding leaves a small difference: spread it one reservation at a time over random users.
  while (assigned !== total) {
    const u = Math.floor(rng.next() * users);
    const delta = assigned < total ? 1 : -1;
    if (counts[u]! + delta < 1 || counts[u]! + delta > cap) continue;
    counts[u] = counts[u]! + delta;
    assigned += delta;
  }
  return counts;
}

function shuffle(rng: Rng, n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** The first index whose cumulative weight exceeds `x`. */
function lowerBound(cumulative: Float64Array, x: number): number {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid]! > x) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
