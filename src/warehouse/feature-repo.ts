import type { Kysely, Transaction } from 'kysely';
import { BulkBuffer } from './bulk-buffer.ts';
import type { WarehouseDialect } from './dialects/warehouse-dialect.ts';
import type { FeatServiceTable, FeatUserTable, WarehouseDb } from './schema.ts';

type Db = Kysely<WarehouseDb> | Transaction<WarehouseDb>;

/** One reservation as the feature build reads it: user key, service key, status, reserved_at (UTC text), rating. */
export type FactTuple = readonly [userKey: number, serviceKey: number, status: string, reservedAt: string, rating: number | null];

/** Which facts a scan reads: all of them, or those of some users or of some services. */
export type FactFilter = { readonly userKeys: readonly number[] } | { readonly serviceKeys: readonly number[] } | undefined;

const USER_COLUMNS = [
  'snapshot_id',
  'user_key',
  'reservations',
  'completed',
  'canceled',
  'cancel_rate',
  'last_reserved_at',
  'region_key',
  'age_band',
  'favourite_category_keys',
];
const SERVICE_COLUMNS = [
  'snapshot_id',
  'service_key',
  'reservations_last7d',
  'reservations_last30d',
  'reservations_all',
  'completed',
  'canceled',
  'completion_rate',
  'cancel_rate',
  'rating_mean',
  'rating_count',
  'category_key',
  'region_key',
  'price_band',
];

/**
 * What the feature build reads from the star schema and writes into `feat_user`/`feat_service`. Facts are read
 * in one streamed scan (see {@link WarehouseDialect.scanRows}) and aggregated by the caller; feature rows go out
 * in fixed-size multi-row inserts. `*Query` methods build without running, for compiled-SQL tests.
 */
export class FeatureRepo {
  readonly #db: Db;
  readonly #dialect: WarehouseDialect;
  constructor(db: Db, dialect: WarehouseDialect) {
    this.#db = db;
    this.#dialect = dialect;
  }

  newestReservationQuery() {
    return this.#db.selectFrom('factReservation').select((eb) => eb.fn.max('reservedAt').as('asOf'));
  }

  /** The newest `reserved_at` (a snapshot's as-of time), or null without reservations. */
  async newestReservation(): Promise<string | null> {
    return (await this.newestReservationQuery().executeTakeFirst())?.asOf ?? null;
  }

  usersQuery() {
    return this.#db.selectFrom('dimUser').select(['userKey', 'regionKey', 'birthYear']).orderBy('userKey');
  }

  /** Every user (key order) with what feat_user copies or derives from it. */
  async users(): Promise<{ userKey: number; regionKey: number | null; birthYear: number | null }[]> {
    return (await this.usersQuery().execute()).map((u) => ({
      userKey: Number(u.userKey),
      regionKey: u.regionKey === null ? null : Number(u.regionKey),
      birthYear: u.birthYear === null ? null : Number(u.birthYear),
    }));
  }

  servicesQuery() {
    return this.#db.selectFrom('dimService').select(['serviceKey', 'categoryKey', 'regionKey', 'price']).orderBy('serviceKey');
  }

  /** Every service (key order) with what feat_service copies or derives from it. */
  async services(): Promise<{ serviceKey: number; categoryKey: number; regionKey: number | null; price: number }[]> {
    return (await this.servicesQuery().execute()).map((s) => ({
      serviceKey: Number(s.serviceKey),
      categoryKey: Number(s.categoryKey),
      regionKey: s.regionKey === null ? null : Number(s.regionKey),
      price: Number(s.price),
    }));
  }

  factsQuery(filter: FactFilter) {
    let query = this.#db.selectFrom('factReservation').select(['userKey', 'serviceKey', 'status', 'reservedAt', 'rating']);
    if (filter !== undefined && 'userKeys' in filter) query = query.where('userKey', 'in', filter.userKeys);
    if (filter !== undefined && 'serviceKeys' in filter) query = query.where('serviceKey', 'in', filter.serviceKeys);
    return query;
  }

  /**
   * Hands every fact (or those of the filter's keys) to `onFact`, streamed, in no particular order. A key list
   * longer than the backend's parameter limit is read in several scans.
   */
  async scanFacts(filter: FactFilter, onFact: (fact: FactTuple) => void): Promise<void> {
    const onRow = onFact as (row: readonly unknown[]) => void;
    const keys = filter === undefined ? undefined : 'userKeys' in filter ? filter.userKeys : filter.serviceKeys;
    if (keys === undefined) return this.#dialect.scanRows(this.#db, this.factsQuery(undefined).compile(), onRow);
    const perScan = this.#dialect.maxParameters;
    for (let i = 0; i < keys.length; i += perScan) {
      const slice = keys.slice(i, i + perScan);
      const part: FactFilter = 'userKeys' in filter! ? { userKeys: slice } : { serviceKeys: slice };
      await this.#dialect.scanRows(this.#db, this.factsQuery(part).compile(), onRow);
    }
  }

  /** Inserts a snapshot's feat_user rows. */
  async insertUserFeatures(rows: readonly FeatUserTable[]): Promise<void> {
    const buffer = this.#buffer('feat_user', USER_COLUMNS);
    for (const r of rows) {
      await buffer.append([
        r.snapshotId,
        r.userKey,
        r.reservations,
        r.completed,
        r.canceled,
        r.cancelRate,
        r.lastReservedAt,
        r.regionKey,
        r.ageBand,
        r.favouriteCategoryKeys,
      ]);
    }
    await buffer.flush();
  }

  /** Inserts a snapshot's feat_service rows. */
  async insertServiceFeatures(rows: readonly FeatServiceTable[]): Promise<void> {
    const buffer = this.#buffer('feat_service', SERVICE_COLUMNS);
    for (const r of rows) {
      await buffer.append([
        r.snapshotId,
        r.serviceKey,
        r.reservationsLast7d,
        r.reservationsLast30d,
        r.reservationsAll,
        r.completed,
        r.canceled,
        r.completionRate,
        r.cancelRate,
        r.ratingMean,
        r.ratingCount,
        r.categoryKey,
        r.regionKey,
        r.priceBand,
      ]);
    }
    await buffer.flush();
  }

  #buffer(table: string, columns: readonly string[]): BulkBuffer {
    const capacity = Math.max(1, Math.floor(Math.min(this.#dialect.statementParameters, this.#dialect.maxParameters) / columns.length));
    return new BulkBuffer(columns.length, capacity, (rows, params) =>
      this.#dialect.execBulk(this.#db as Kysely<WarehouseDb>, this.#dialect.insertSql(table, columns, rows), params),
    );
  }
}
