import { CATEGORIES, REGIONS, roundPrice, serviceName } from './catalog.ts';
import { IsoUtcFormatter, csvLine } from './csv.ts';
import { type DirtySchedule, type DirtyKindOf, type UnknownIds, corruptRow, interleaveDirty } from './dirty-rows.ts';
import { STATUSES, type ReservationPlan } from './reservations.ts';
import type { Rng } from '../shared/index.ts';
import { GENDER, serviceId, userId, type World } from './world.ts';

/** File names of the landing contract. */
export const LANDING_FILES = { users: 'users.csv', services: 'services.csv', reservations: 'reservations.csv' } as const;

/** Header row of each landing file, column order included. */
export const LANDING_HEADERS = {
  users: ['user_id', 'signup_at', 'gender', 'birth_year', 'region'],
  services: ['service_id', 'name', 'category', 'region', 'price', 'created_at'],
  reservations: ['reservation_id', 'user_id', 'service_id', 'status', 'reserved_at', 'rating'],
} as const;

/** External reservation id; clean ids follow time order, like an auto-increment key. */
export function reservationId(index: number): string {
  return `R${String(index + 1).padStart(9, '0')}`;
}

const GENDER_TEXT = ['', 'M', 'F'] as const;

/** What every file's line producer needs besides its own data. */
export interface RowsContext<F extends 'users' | 'services' | 'reservations'> {
  readonly world: World;
  readonly schedule: DirtySchedule<DirtyKindOf<F>>;
  /** Randomness for dirty rows only, so clean rows never depend on the dirty fraction. */
  readonly rng: Rng;
  readonly unknown: UnknownIds;
}

function randomTime(rng: Rng, from: number, to: number): number {
  return Math.floor(from + rng.next() * (to - from));
}

/** users.csv data lines (no header), dirty rows included. */
export function* userLines(ctx: RowsContext<'users'>): Generator<string> {
  const { users, startSec, endSec } = ctx.world;
  const iso = new IsoUtcFormatter();
  function* clean(): Generator<string> {
    for (let u = 0; u < users.count; u++) {
      const birthYear = users.birthYear[u] ?? 0;
      const region = users.regionReported[u] === 1 ? (REGIONS[users.homeRegion[u] ?? 0]?.name ?? '') : '';
      yield `${users.ids[u]},${iso.format(users.signupSec[u] ?? startSec)},${GENDER_TEXT[users.gender[u] ?? 0]},${birthYear === 0 ? '' : birthYear},${region}`;
    }
  }
  const { rng } = ctx;
  yield* interleaveDirty(clean(), ctx.schedule, (kind, j) => {
    const signup = randomTime(rng, startSec, endSec);
    const fields = [
      userId(users.count + j),
      iso.format(signup),
      GENDER_TEXT[rng.int(GENDER.unknown, GENDER.F + 1)] ?? '',
      String(new Date(signup * 1000).getUTCFullYear() - rng.int(18, 76)),
      rng.pick(REGIONS).name,
    ];
    return csvLine(corruptRow('users', fields, { kind, rng, unknown: ctx.unknown }));
  });
}

/** services.csv data lines (no header), dirty rows included. */
export function* serviceLines(ctx: RowsContext<'services'>): Generator<string> {
  const { services, startSec, endSec } = ctx.world;
  const iso = new IsoUtcFormatter();
  function* clean(): Generator<string> {
    for (let s = 0; s < services.count; s++) {
      yield csvLine([
        services.ids[s] ?? '',
        services.names[s] ?? '',
        CATEGORIES[services.category[s] ?? 0]?.name ?? '',
        REGIONS[services.region[s] ?? 0]?.name ?? '',
        String(services.price[s]),
        iso.format(services.createdSec[s] ?? startSec),
      ]);
    }
  }
  const { rng } = ctx;
  yield* interleaveDirty(clean(), ctx.schedule, (kind, j) => {
    const category = rng.pick(CATEGORIES);
    const area = rng.pick(REGIONS);
    const fields = [
      serviceId(services.count + j),
      serviceName(rng, category, area),
      category.name,
      area.name,
      String(roundPrice(rng, category.medianPrice * Math.exp(category.priceSigma * rng.normal()))),
      iso.format(randomTime(rng, startSec, endSec)),
    ];
    return csvLine(corruptRow('services', fields, { kind, rng, unknown: ctx.unknown }));
  });
}

/**
 * reservations.csv data lines (no header): reservations in time order, each status update placed where its
 * time falls, and dirty rows in between. A dirty row borrows the user, service and time of the clean row next
 * to it, so it is plausible in every field but the broken one.
 */
export function* reservationLines(ctx: RowsContext<'reservations'>, plan: ReservationPlan): Generator<string> {
  const { users, services } = ctx.world;
  const iso = new IsoUtcFormatter();
  const { updates } = plan;
  let current = 0;
  const line = (i: number, status: number, rating: number) =>
    `${reservationId(i)},${users.ids[plan.user[i] ?? 0]},${services.ids[plan.service[i] ?? 0]},${STATUSES[status as 0 | 1 | 2]},${iso.format(plan.timeSec[i] ?? 0)},${rating === 0 ? '' : rating}`;
  function* clean(): Generator<string> {
    let next = 0;
    const updateLine = () => {
      const ref = updates.ref[next] ?? 0;
      const out = line(ref, updates.status[next] ?? 0, updates.rating[next] ?? 0);
      next++;
      return out;
    };
    for (let i = 0; i < plan.count; i++) {
      const t = plan.timeSec[i] ?? 0;
      while (next < updates.count && (updates.atSec[next] ?? 0) <= t) yield updateLine();
      current = i;
      yield line(i, plan.status[i] ?? 0, plan.rating[i] ?? 0);
    }
    while (next < updates.count) yield updateLine();
  }
  const { rng } = ctx;
  yield* interleaveDirty(clean(), ctx.schedule, (kind, j) => {
    const needsRating = kind === 'rating_out_of_range' || kind === 'rating_not_integer';
    const status = needsRating || rng.chance(0.8) ? 'completed' : 'canceled';
    const rating = status === 'completed' && rng.chance(0.3) ? String(rng.int(1, 6)) : '';
    const fields = [
      reservationId(plan.count + j),
      users.ids[plan.user[current] ?? 0] ?? '',
      services.ids[plan.service[current] ?? 0] ?? '',
      status,
      iso.format(plan.timeSec[current] ?? ctx.world.startSec),
      rating,
    ];
    return csvLine(corruptRow('reservations', fields, { kind, rng, unknown: ctx.unknown }));
  });
}
