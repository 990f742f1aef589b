import type { Transaction } from 'kysely';
import { toUtcText } from '../preprocess/index.ts';
import { keyChunks, type WarehouseDb } from '../warehouse/index.ts';
import { parseWarehouseTime } from './interaction-log.ts';

/** The longest look-back of any windowed feature (feat_service.reservations_last30d). */
const LONGEST_WINDOW_MS = 30 * 86_400_000;

/** What an incremental build recomputes, or why it has to be a full build. */
export type IncrementalPlan =
  | { readonly kind: 'full'; readonly because: string }
  | { readonly kind: 'incremental'; readonly previous: number; readonly users: readonly number[]; readonly services: readonly number[] };

type Trx = Transaction<WarehouseDb>;

/** Newest `updated_at` of any fact or dimension row: the watermark a snapshot records. */
export async function newestSourceUpdate(trx: Trx): Promise<string | null> {
  const newest = await Promise.all([
    trx.selectFrom('factReservation').select((eb) => eb.fn.max('updatedAt').as('t')).executeTakeFirst(),
    trx.selectFrom('dimUser').select((eb) => eb.fn.max('updatedAt').as('t')).executeTakeFirst(),
    trx.selectFrom('dimService').select((eb) => eb.fn.max('updatedAt').as('t')).executeTakeFirst(),
  ]);
  const times = newest.map((r) => r?.t ?? null).filter((t): t is string => t !== null);
  return times.length === 0 ? null : times.reduce((a, b) => (a > b ? a : b));
}

/**
 * The rows of the next snapshot that can differ from the latest one's: users and services with a fact or a
 * dimension row changed after its watermark; services with reservations in the 30 days before its `as_of`
 * when `as_of` moved (their 7- and 30-day counts shift); every service of a category in which a service
 * changed (price bands are terciles within the category). A full build is planned when there is no earlier
 * snapshot or watermark, when age bands move to a new year, when a service changed category (favourite
 * categories of its customers would move), or when more than `maxShare` of all rows changed anyway (a full
 * build is then about as cheap).
 */
export async function planIncrementalBuild(trx: Trx, o: { asOf: string | null; builtAt: Date; maxShare: number }): Promise<IncrementalPlan> {
  const full = (because: string): IncrementalPlan => ({ kind: 'full', because });
  const previous = await trx.selectFrom('featSnapshot').selectAll().orderBy('snapshotId', 'desc').limit(1).executeTakeFirst();
  if (previous === undefined) return full('there is no earlier snapshot');
  const since = previous.sourceUpdatedAt;
  if (since === null) return full('the latest snapshot records no change watermark');
  // Age bands are relative to the as-of year (the build's year without reservations).
  const previousYear = Number((previous.asOf ?? previous.builtAt).slice(0, 4));
  const year = o.asOf !== null ? Number(o.asOf.slice(0, 4)) : o.builtAt.getUTCFullYear();
  if (previousYear !== year) return full('age bands move to a new year');

  const users = new Set<number>();
  const services = new Set<number>();
  // No DISTINCT: SQLite would walk the (user_key, reserved_at) index with a table lookup per row; a plain scan
  // of the few changed rows is ~20× faster.
  for (const r of await trx.selectFrom('factReservation').select(['userKey', 'serviceKey']).where('updatedAt', '>', since).execute()) {
    users.add(Number(r.userKey));
    services.add(Number(r.serviceKey));
  }
  for (const r of await trx.selectFrom('dimUser').select('userKey').where('updatedAt', '>', since).execute()) users.add(Number(r.userKey));

  const changedServices = await trx.selectFrom('dimService').select(['serviceKey', 'categoryKey']).where('updatedAt', '>', since).execute();
  if (changedServices.length > 0) {
    const categories = new Set(changedServices.map((s) => Number(s.categoryKey)));
    const keys = changedServices.map((s) => Number(s.serviceKey));
    const now = new Map(changedServices.map((s) => [Number(s.serviceKey), Number(s.categoryKey)]));
    for (const chunk of keyChunks(keys)) {
      const before = await trx.selectFrom('featService').select(['serviceKey', 'categoryKey']).where('snapshotId', '=', previous.snapshotId).where('serviceKey', 'in', chunk).execute();
      if (before.some((b) => now.get(Number(b.serviceKey)) !== Number(b.categoryKey))) return full('a service changed category');
    }
    for (const s of await trx.selectFrom('dimService').select('serviceKey').where('categoryKey', 'in', [...categories]).execute()) services.add(Number(s.serviceKey));
  }

  if (o.asOf !== previous.asOf && previous.asOf !== null) {
    const from = toUtcText(new Date(parseWarehouseTime(previous.asOf) - LONGEST_WINDOW_MS));
    for (const r of await trx.selectFrom('factReservation').select('serviceKey').where('reservedAt', '>=', from).distinct().execute()) services.add(Number(r.serviceKey));
  }

  const count = async (table: 'dimUser' | 'dimService'): Promise<number> =>
    Number((await trx.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const total = (await count('dimUser')) + (await count('dimService'));
  if (users.size + services.size > o.maxShare * total) return full(`most rows changed (${users.size + services.size} of ${total})`);
  const sorted = (keys: Set<number>): number[] => [...keys].sort((a, b) => a - b);
  return { kind: 'incremental', previous: previous.snapshotId, users: sorted(users), services: sorted(services) };
}

/** Copies the previous snapshot's rows into `snapshotId`, except those the plan recomputes. */
export async function carryOver(trx: Trx, previous: number, snapshotId: number, plan: { users: readonly number[]; services: readonly number[] }): Promise<void> {
  const userColumns = ['userKey', 'reservations', 'completed', 'canceled', 'cancelRate', 'lastReservedAt', 'regionKey', 'ageBand', 'favouriteCategoryKeys'] as const;
  await trx
    .insertInto('featUser')
    .columns(['snapshotId', ...userColumns])
    .expression(trx.selectFrom('featUser').select((eb) => [eb.val(snapshotId).as('snapshotId'), ...userColumns]).where('snapshotId', '=', previous))
    .execute();
  const serviceColumns = [
    'serviceKey', 'reservationsLast7d', 'reservationsLast30d', 'reservationsAll', 'completed', 'canceled',
    'completionRate', 'cancelRate', 'ratingMean', 'ratingCount', 'categoryKey', 'regionKey', 'priceBand',
  ] as const;
  await trx
    .insertInto('featService')
    .columns(['snapshotId', ...serviceColumns])
    .expression(trx.selectFrom('featService').select((eb) => [eb.val(snapshotId).as('snapshotId'), ...serviceColumns]).where('snapshotId', '=', previous))
    .execute();
  for (const chunk of keyChunks(plan.users)) await trx.deleteFrom('featUser').where('snapshotId', '=', snapshotId).where('userKey', 'in', chunk).execute();
  for (const chunk of keyChunks(plan.services)) await trx.deleteFrom('featService').where('snapshotId', '=', snapshotId).where('serviceKey', 'in', chunk).execute();
}
