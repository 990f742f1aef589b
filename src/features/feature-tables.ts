import { sql, type Expression, type SqlBool, type Transaction } from 'kysely';
import { toUtcText } from '../preprocess/index.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { keyChunks, type FeatUserTable, type Warehouse, type WarehouseDb } from '../warehouse/index.ts';
import { parseWarehouseTime } from './interaction-log.ts';
import { carryOver, newestSourceUpdate, planIncrementalBuild } from './incremental-features.ts';

/** How many feature snapshots are kept; older ones are deleted by the build that makes a newer one. */
export const KEPT_FEATURE_SNAPSHOTS = 3;

/** How many categories `feat_user.favourite_category_keys` lists. */
const FAVOURITE_CATEGORIES = 3;

const DAY_MS = 86_400_000;

/** A `feat_snapshot` row. */
export interface FeatureSnapshot {
  readonly snapshotId: number;
  /** Newest `reserved_at` covered (warehouse UTC text), or null when there were no reservations. */
  readonly asOf: string | null;
  readonly builtAt: string;
  /** Rows of `feat_user` / `feat_service` in this snapshot. */
  readonly users: number;
  readonly services: number;
}

/** What one build made, for the CLI and logs. */
export interface FeatureBuildSummary {
  readonly snapshotId: number;
  readonly asOf: string | null;
  readonly users: number;
  readonly services: number;
  /** 'incremental': only rows whose sources changed since the previous snapshot were recomputed. */
  readonly mode: 'full' | 'incremental';
  /** Why a requested incremental build ran in full (no previous snapshot, a new as-of year, …). */
  readonly fullBecause?: string;
  readonly recomputedUsers: number;
  readonly recomputedServices: number;
  readonly seconds: number;
}

export interface FeatureBuildOptions {
  readonly clock?: Clock;
  /**
   * Recompute only the users and services whose facts or dimension rows changed since the latest snapshot
   * (and the services whose 7/30-day windows or price band may have moved), carrying the other rows over.
   * Falls back to a full build when that would not be exact or not cheaper. Default false.
   */
  readonly incremental?: boolean;
  /** An incremental build recomputing more than this share of all rows runs in full instead (default 0.5). */
  readonly maxIncrementalShare?: number;
}

/**
 * Builds a new feature snapshot from the star schema in one transaction: a `feat_snapshot` row, one
 * `feat_user` row per `dim_user` and one `feat_service` row per `dim_service`, aggregating every reservation
 * up to the newest `reserved_at` (the snapshot's `as_of`). Snapshots beyond the latest
 * {@link KEPT_FEATURE_SNAPSHOTS} are deleted in the same transaction, so readers never see a partial one.
 * With `incremental`, rows whose sources did not change are copied from the previous snapshot (see
 * {@link planIncrementalBuild}); the result is the same as a full build's.
 *
 * An empty warehouse is not an error: it gives a snapshot with no rows and a null `as_of`. Without
 * reservations, age bands are relative to the build's year.
 */
export async function buildFeatureTables(warehouse: Warehouse, options: FeatureBuildOptions = {}): Promise<FeatureBuildSummary> {
  const started = performance.now();
  const builtAt = (options.clock ?? systemClock)();
  const maxParameters = warehouse.dialect.maxParameters;
  const result = await warehouse.db.transaction().execute(async (trx) => {
    const newest = await trx.selectFrom('factReservation').select((eb) => eb.fn.max('reservedAt').as('asOf')).executeTakeFirst();
    const asOf = newest?.asOf ?? null;
    const sourceUpdatedAt = await newestSourceUpdate(trx);
    const plan = options.incremental ? await planIncrementalBuild(trx, { asOf, builtAt, maxShare: options.maxIncrementalShare ?? 0.5 }) : undefined;
    const inserted = await trx
      .insertInto('featSnapshot')
      .values({ asOf, builtAt: toUtcText(builtAt), users: 0, services: 0, sourceUpdatedAt, buildMode: plan?.kind === 'incremental' ? 'incremental' : 'full' })
      .executeTakeFirstOrThrow();
    const snapshotId = Number(inserted.insertId);
    const referenceYear = asOf === null ? builtAt.getUTCFullYear() : Number(asOf.slice(0, 4));
    let recomputedUsers: number;
    let recomputedServices: number;
    if (plan?.kind === 'incremental') {
      await carryOver(trx, plan.previous, snapshotId, plan);
      recomputedUsers = 0;
      for (const keys of keyChunks(plan.users)) recomputedUsers += await fillUserFeatures(trx, { snapshotId, asOf, referenceYear, maxParameters, keys });
      recomputedServices = 0;
      for (const keys of keyChunks(plan.services)) recomputedServices += await fillServiceFeatures(trx, { snapshotId, asOf, keys });
    } else {
      recomputedUsers = await fillUserFeatures(trx, { snapshotId, asOf, referenceYear, maxParameters });
      recomputedServices = await fillServiceFeatures(trx, { snapshotId, asOf });
    }
    const users = Number((await trx.selectFrom('featUser').select((eb) => eb.fn.countAll().as('n')).where('snapshotId', '=', snapshotId).executeTakeFirstOrThrow()).n);
    const services = Number((await trx.selectFrom('featService').select((eb) => eb.fn.countAll().as('n')).where('snapshotId', '=', snapshotId).executeTakeFirstOrThrow()).n);
    await trx.updateTable('featSnapshot').set({ users, services, recomputedUsers, recomputedServices }).where('snapshotId', '=', snapshotId).execute();
    await deleteOldSnapshots(trx);
    const mode = plan?.kind === 'incremental' ? ('incremental' as const) : ('full' as const);
    return { snapshotId, asOf, users, services, mode, ...(plan?.kind === 'full' ? { fullBecause: plan.because } : {}), recomputedUsers, recomputedServices };
  });
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** The newest feature snapshot, or undefined before the first build. */
export async function latestFeatureSnapshot(warehouse: Warehouse): Promise<FeatureSnapshot | undefined> {
  const row = await warehouse.db.selectFrom('featSnapshot').selectAll().orderBy('snapshotId', 'desc').limit(1).executeTakeFirst();
  if (row === undefined) return undefined;
  return { snapshotId: Number(row.snapshotId), asOf: row.asOf, builtAt: row.builtAt, users: Number(row.users), services: Number(row.services) };
}

/**
 * Age band `'20-29'` of someone born in `birthYear`, in `referenceYear`; null when unknown or in the future.
 * Computed here rather than in SQL because integer division and string concatenation are not portable.
 */
export function ageBand(birthYear: number | null, referenceYear: number): string | null {
  if (birthYear === null) return null;
  const age = referenceYear - birthYear;
  if (age < 0) return null;
  const low = Math.floor(age / 10) * 10;
  return `${low}-${low + 9}`;
}

/**
 * feat_user: counts per user from one aggregate query, completed reservations per (user, category) from a
 * second, combined here (age band, top categories need string building) and inserted in chunks.
 */
async function fillUserFeatures(
  trx: Transaction<WarehouseDb>,
  o: { snapshotId: number; asOf: string | null; referenceYear: number; maxParameters: number; keys?: readonly number[] },
): Promise<number> {
  const { asOf, keys } = o;
  const perUser = trx
    .selectFrom('factReservation')
    .$if(asOf !== null, (qb) => qb.where('reservedAt', '<=', asOf!))
    .$if(keys !== undefined, (qb) => qb.where('userKey', 'in', keys!))
    .select((eb) => [
      'userKey',
      eb.fn.countAll<number>().as('reservations'),
      eb.fn.count<number>(eb.case().when('status', '=', 'completed').then(eb.lit(1)).end()).as('completed'),
      eb.fn.count<number>(eb.case().when('status', '=', 'canceled').then(eb.lit(1)).end()).as('canceled'),
      eb.fn.max('reservedAt').as('lastReservedAt'),
    ])
    .groupBy('userKey')
    .as('f');
  const users = await trx
    .selectFrom('dimUser as u')
    .leftJoin(perUser, 'f.userKey', 'u.userKey')
    .select(['u.userKey', 'u.regionKey', 'u.birthYear', 'f.reservations', 'f.completed', 'f.canceled', 'f.lastReservedAt'])
    .$if(keys !== undefined, (qb) => qb.where('u.userKey', 'in', keys!))
    .orderBy('u.userKey')
    .execute();

  const completedByCategory = await trx
    .selectFrom('factReservation as r')
    .innerJoin('dimService as s', 's.serviceKey', 'r.serviceKey')
    .where('r.status', '=', 'completed')
    .$if(asOf !== null, (qb) => qb.where('r.reservedAt', '<=', asOf!))
    .$if(keys !== undefined, (qb) => qb.where('r.userKey', 'in', keys!))
    .select((eb) => ['r.userKey', 's.categoryKey', eb.fn.countAll<number>().as('n')])
    .groupBy(['r.userKey', 's.categoryKey'])
    .execute();
  const favourites = topCategories(completedByCategory.map((r) => ({ userKey: Number(r.userKey), categoryKey: Number(r.categoryKey), n: Number(r.n) })));

  const rows: FeatUserTable[] = users.map((u) => {
    const userKey = Number(u.userKey);
    const reservations = Number(u.reservations ?? 0);
    const canceled = Number(u.canceled ?? 0);
    return {
      snapshotId: o.snapshotId,
      userKey,
      reservations,
      completed: Number(u.completed ?? 0),
      canceled,
      cancelRate: reservations === 0 ? 0 : canceled / reservations,
      lastReservedAt: u.lastReservedAt ?? null,
      regionKey: u.regionKey === null ? null : Number(u.regionKey),
      ageBand: ageBand(u.birthYear === null ? null : Number(u.birthYear), o.referenceYear),
      favouriteCategoryKeys: favourites.get(userKey) ?? '',
    };
  });
  const perStatement = Math.max(1, Math.floor(o.maxParameters / 10));
  for (let start = 0; start < rows.length; start += perStatement) {
    await trx.insertInto('featUser').values(rows.slice(start, start + perStatement)).execute();
  }
  return rows.length;
}

/** user key → `'4,1,7'`: the most completed categories, ties broken by the lower key. */
function topCategories(counts: readonly { userKey: number; categoryKey: number; n: number }[]): Map<number, string> {
  const byUser = new Map<number, { categoryKey: number; n: number }[]>();
  for (const c of counts) {
    const list = byUser.get(c.userKey) ?? [];
    list.push(c);
    byUser.set(c.userKey, list);
  }
  const out = new Map<number, string>();
  for (const [userKey, list] of byUser) {
    list.sort((a, b) => b.n - a.n || a.categoryKey - b.categoryKey);
    out.set(userKey, list.slice(0, FAVOURITE_CATEGORIES).map((c) => c.categoryKey).join(','));
  }
  return out;
}

/**
 * feat_service: one portable INSERT … SELECT. The 7/30-day cut-offs are computed here as UTC text, so the
 * SQL compares `reserved_at >= cutoff` on both backends. `1e0` makes rates and means doubles on MariaDB
 * too (integer division on SQLite, DECIMAL on MariaDB otherwise). The price tercile uses window functions:
 * a service whose category has n services, c of them cheaper, is low when 3c < n, mid when 3c < 2n.
 */
async function fillServiceFeatures(trx: Transaction<WarehouseDb>, o: { snapshotId: number; asOf: string | null; keys?: readonly number[] }): Promise<number> {
  const { asOf, keys } = o;
  // With no reservations the fact subquery is empty, so any cut-off will do.
  const asOfMs = asOf === null ? 0 : parseWarehouseTime(asOf);
  const cutoff7 = toUtcText(new Date(asOfMs - 7 * DAY_MS));
  const cutoff30 = toUtcText(new Date(asOfMs - 30 * DAY_MS));

  const perService = trx
    .selectFrom('factReservation')
    .$if(asOf !== null, (qb) => qb.where('reservedAt', '<=', asOf!))
    .$if(keys !== undefined, (qb) => qb.where('serviceKey', 'in', keys!))
    .select((eb) => {
      const notCanceled = eb('status', '!=', 'canceled');
      const countWhen = (condition: Expression<SqlBool>) => eb.fn.count<number>(eb.case().when(condition).then(eb.lit(1)).end());
      return [
        'serviceKey',
        eb.fn.countAll<number>().as('total'),
        countWhen(eb.and([notCanceled, eb('reservedAt', '>=', cutoff7)])).as('last7d'),
        countWhen(eb.and([notCanceled, eb('reservedAt', '>=', cutoff30)])).as('last30d'),
        countWhen(notCanceled).as('notCanceled'),
        countWhen(eb('status', '=', 'completed')).as('completed'),
        countWhen(eb('status', '=', 'canceled')).as('canceled'),
        sql<number | null>`avg(${sql.ref('rating')} * 1e0)`.as('ratingMean'),
        eb.fn.count<number>('rating').as('ratingCount'),
      ];
    })
    .groupBy('serviceKey')
    .as('f');
  const priceRank = trx
    .selectFrom('dimService')
    .select([
      'serviceKey',
      sql<number>`rank() over (partition by ${sql.ref('categoryKey')} order by ${sql.ref('price')}) - 1`.as('cheaper'),
      sql<number>`count(*) over (partition by ${sql.ref('categoryKey')})`.as('peers'),
    ])
    .as('p');

  const select = trx
    .selectFrom('dimService as s')
    .innerJoin(priceRank, 'p.serviceKey', 's.serviceKey')
    .leftJoin(perService, 'f.serviceKey', 's.serviceKey')
    .select((eb) => [
      eb.val(o.snapshotId).as('snapshotId'),
      's.serviceKey',
      eb.fn.coalesce('f.last7d', eb.lit(0)).as('reservationsLast7d'),
      eb.fn.coalesce('f.last30d', eb.lit(0)).as('reservationsLast30d'),
      eb.fn.coalesce('f.notCanceled', eb.lit(0)).as('reservationsAll'),
      eb.fn.coalesce('f.completed', eb.lit(0)).as('completed'),
      eb.fn.coalesce('f.canceled', eb.lit(0)).as('canceled'),
      sql<number>`coalesce(${sql.ref('f.completed')} * 1e0 / ${sql.ref('f.total')}, 0e0)`.as('completionRate'),
      sql<number>`coalesce(${sql.ref('f.canceled')} * 1e0 / ${sql.ref('f.total')}, 0e0)`.as('cancelRate'),
      'f.ratingMean',
      eb.fn.coalesce('f.ratingCount', eb.lit(0)).as('ratingCount'),
      's.categoryKey',
      's.regionKey',
      eb
        .case()
        .when(sql<boolean>`3 * ${sql.ref('p.cheaper')} < ${sql.ref('p.peers')}`)
        .then(sql.lit('low'))
        .when(sql<boolean>`3 * ${sql.ref('p.cheaper')} < 2 * ${sql.ref('p.peers')}`)
        .then(sql.lit('mid'))
        .else(sql.lit('high'))
        .end()
        .as('priceBand'),
    ])
    .$if(keys !== undefined, (qb) => qb.where('s.serviceKey', 'in', keys!));
  const inserted = await trx
    .insertInto('featService')
    .columns([
      'snapshotId', 'serviceKey', 'reservationsLast7d', 'reservationsLast30d', 'reservationsAll', 'completed', 'canceled',
      'completionRate', 'cancelRate', 'ratingMean', 'ratingCount', 'categoryKey', 'regionKey', 'priceBand',
    ])
    .expression(select)
    .executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0);
}

async function deleteOldSnapshots(trx: Transaction<WarehouseDb>): Promise<void> {
  const old = (await trx.selectFrom('featSnapshot').select('snapshotId').orderBy('snapshotId', 'desc').offset(KEPT_FEATURE_SNAPSHOTS).limit(1_000_000).execute()).map((r) =>
    Number(r.snapshotId),
  );
  if (old.length === 0) return;
  await trx.deleteFrom('featUser').where('snapshotId', 'in', old).execute();
  await trx.deleteFrom('featService').where('snapshotId', 'in', old).execute();
  await trx.deleteFrom('featSnapshot').where('snapshotId', 'in', old).execute();
}
