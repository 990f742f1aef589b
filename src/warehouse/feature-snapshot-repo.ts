import type { Kysely, Transaction } from 'kysely';
import { keyChunks } from './key-chunks.ts';
import type { FeatSnapshotTable, WarehouseDb } from './schema.ts';

type Db = Kysely<WarehouseDb> | Transaction<WarehouseDb>;

/** A `feat_snapshot` row as read. */
export interface SnapshotRow {
  readonly snapshotId: number;
  readonly asOf: string | null;
  readonly builtAt: string;
  readonly users: number;
  readonly services: number;
  readonly sourceUpdatedAt: string | null;
  readonly buildMode: string;
}

const USER_COLUMNS = [
  'userKey',
  'reservations',
  'completed',
  'canceled',
  'cancelRate',
  'lastReservedAt',
  'regionKey',
  'ageBand',
  'favouriteCategoryKeys',
] as const;
const SERVICE_COLUMNS = [
  'serviceKey',
  'reservationsLast7d',
  'reservationsLast30d',
  'reservationsAll',
  'completed',
  'canceled',
  'completionRate',
  'cancelRate',
  'ratingMean',
  'ratingCount',
  'categoryKey',
  'regionKey',
  'priceBand',
] as const;

/**
 * The life of feature snapshots (`feat_snapshot` and the rows of `feat_user`/`feat_service` per snapshot), and
 * what an incremental build asks about changes since a snapshot's watermark. The aggregates themselves are
 * {@link FeatureRepo}'s. `*Query` methods build without running, for compiled-SQL tests.
 */
export class FeatureSnapshotRepo {
  readonly #db: Db;
  constructor(db: Db) {
    this.#db = db;
  }

  latestQuery() {
    return this.#db
      .selectFrom('featSnapshot')
      .select(['snapshotId', 'asOf', 'builtAt', 'users', 'services', 'sourceUpdatedAt', 'buildMode'])
      .orderBy('snapshotId', 'desc')
      .limit(1);
  }

  /** The newest snapshot, or undefined before the first build. */
  async latest(): Promise<SnapshotRow | undefined> {
    const row = await this.latestQuery().executeTakeFirst();
    return row === undefined ? undefined : { ...row, snapshotId: Number(row.snapshotId), users: Number(row.users), services: Number(row.services) };
  }

  newestUpdateQuery(table: 'factReservation' | 'dimUser' | 'dimService') {
    return this.#db.selectFrom(table).select((eb) => eb.fn.max('updatedAt').as('t'));
  }

  /** Newest `updated_at` of any fact or dimension row: the warehouse's watermark, which a snapshot records. */
  async newestSourceUpdate(): Promise<string | null> {
    const newest = await Promise.all((['factReservation', 'dimUser', 'dimService'] as const).map((t) => this.newestUpdateQuery(t).executeTakeFirst()));
    const times = newest.map((r) => r?.t ?? null).filter((t): t is string => t !== null);
    return times.length === 0 ? null : times.reduce((a, b) => (a > b ? a : b));
  }

  async insert(values: Pick<FeatSnapshotTable, 'asOf' | 'builtAt' | 'sourceUpdatedAt'> & { buildMode: 'full' | 'incremental' }): Promise<number> {
    const inserted = await this.#db
      .insertInto('featSnapshot')
      .values({ ...values, users: 0, services: 0 })
      .executeTakeFirstOrThrow();
    return Number(inserted.insertId);
  }

  countRowsQuery(table: 'featUser' | 'featService', snapshotId: number) {
    return this.#db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('snapshotId', '=', snapshotId);
  }

  /** Records the snapshot's row counts and how many rows the build computed (the rest were carried over). */
  async finish(snapshotId: number, recomputed: { users: number; services: number }): Promise<{ users: number; services: number }> {
    const users = Number((await this.countRowsQuery('featUser', snapshotId).executeTakeFirstOrThrow()).n);
    const services = Number((await this.countRowsQuery('featService', snapshotId).executeTakeFirstOrThrow()).n);
    await this.#db
      .updateTable('featSnapshot')
      .set({ users, services, recomputedUsers: recomputed.users, recomputedServices: recomputed.services })
      .where('snapshotId', '=', snapshotId)
      .execute();
    return { users, services };
  }

  /** Deletes every snapshot but the newest `keep`, with their rows. */
  async keepNewest(keep: number): Promise<void> {
    const old = (await this.#db.selectFrom('featSnapshot').select('snapshotId').orderBy('snapshotId', 'desc').offset(keep).limit(1_000_000).execute()).map(
      (r) => Number(r.snapshotId),
    );
    if (old.length === 0) return;
    await this.#db.deleteFrom('featUser').where('snapshotId', 'in', old).execute();
    await this.#db.deleteFrom('featService').where('snapshotId', 'in', old).execute();
    await this.#db.deleteFrom('featSnapshot').where('snapshotId', 'in', old).execute();
  }

  changedFactsQuery(since: string) {
    // No DISTINCT: SQLite would walk the (user_key, reserved_at) index with a table lookup per row; a plain scan
    // of the few changed rows is ~20× faster.
    return this.#db.selectFrom('factReservation').select(['userKey', 'serviceKey']).where('updatedAt', '>', since);
  }

  /** User and service keys of the reservations written after `since`. */
  async changedFacts(since: string): Promise<{ userKey: number; serviceKey: number }[]> {
    return (await this.changedFactsQuery(since).execute()).map((r) => ({ userKey: Number(r.userKey), serviceKey: Number(r.serviceKey) }));
  }

  async changedUsers(since: string): Promise<number[]> {
    return (await this.#db.selectFrom('dimUser').select('userKey').where('updatedAt', '>', since).execute()).map((r) => Number(r.userKey));
  }

  async changedServices(since: string): Promise<{ serviceKey: number; categoryKey: number }[]> {
    const rows = await this.#db.selectFrom('dimService').select(['serviceKey', 'categoryKey']).where('updatedAt', '>', since).execute();
    return rows.map((r) => ({ serviceKey: Number(r.serviceKey), categoryKey: Number(r.categoryKey) }));
  }

  /** The category each of these services had in a snapshot. */
  async snapshotCategories(snapshotId: number, serviceKeys: readonly number[]): Promise<Map<number, number>> {
    const out = new Map<number, number>();
    for (const chunk of keyChunks(serviceKeys)) {
      const rows = await this.#db
        .selectFrom('featService')
        .select(['serviceKey', 'categoryKey'])
        .where('snapshotId', '=', snapshotId)
        .where('serviceKey', 'in', chunk)
        .execute();
      for (const r of rows) out.set(Number(r.serviceKey), Number(r.categoryKey));
    }
    return out;
  }

  async servicesInCategories(categoryKeys: readonly number[]): Promise<number[]> {
    if (categoryKeys.length === 0) return [];
    return (await this.#db.selectFrom('dimService').select('serviceKey').where('categoryKey', 'in', categoryKeys).execute()).map((r) => Number(r.serviceKey));
  }

  servicesReservedSinceQuery(from: string) {
    return this.#db.selectFrom('factReservation').select('serviceKey').where('reservedAt', '>=', from).distinct();
  }

  /** Services with a reservation at or after `from`. */
  async servicesReservedSince(from: string): Promise<number[]> {
    return (await this.servicesReservedSinceQuery(from).execute()).map((r) => Number(r.serviceKey));
  }

  /** Rows of `dim_user` plus rows of `dim_service`. */
  async dimensionRows(): Promise<number> {
    const count = async (table: 'dimUser' | 'dimService'): Promise<number> =>
      Number(
        (
          await this.#db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    return (await count('dimUser')) + (await count('dimService'));
  }

  carryOverUsersQuery(previous: number, snapshotId: number) {
    return this.#db
      .insertInto('featUser')
      .columns(['snapshotId', ...USER_COLUMNS])
      .expression(
        this.#db
          .selectFrom('featUser')
          .select((eb) => [eb.val(snapshotId).as('snapshotId'), ...USER_COLUMNS])
          .where('snapshotId', '=', previous),
      );
  }

  carryOverServicesQuery(previous: number, snapshotId: number) {
    return this.#db
      .insertInto('featService')
      .columns(['snapshotId', ...SERVICE_COLUMNS])
      .expression(
        this.#db
          .selectFrom('featService')
          .select((eb) => [eb.val(snapshotId).as('snapshotId'), ...SERVICE_COLUMNS])
          .where('snapshotId', '=', previous),
      );
  }

  /** Copies the previous snapshot's rows into `snapshotId`, except those about to be recomputed. */
  async carryOver(o: { previous: number; snapshotId: number; users: readonly number[]; services: readonly number[] }): Promise<void> {
    await this.carryOverUsersQuery(o.previous, o.snapshotId).execute();
    await this.carryOverServicesQuery(o.previous, o.snapshotId).execute();
    for (const chunk of keyChunks(o.users))
      await this.#db.deleteFrom('featUser').where('snapshotId', '=', o.snapshotId).where('userKey', 'in', chunk).execute();
    for (const chunk of keyChunks(o.services))
      await this.#db.deleteFrom('featService').where('snapshotId', '=', o.snapshotId).where('serviceKey', 'in', chunk).execute();
  }
}
