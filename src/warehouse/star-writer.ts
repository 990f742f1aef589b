import type { Kysely, Transaction } from 'kysely';
import { calendarOf } from '../preprocess/index.ts';
import type { ReservationRow, ServiceRow, UserRow } from '../preprocess/index.ts';
import type { UpsertSpec, WarehouseDialect } from './dialects/warehouse-dialect.ts';
import type { WarehouseDb } from './schema.ts';

const USER_UPSERT: UpsertSpec = {
  table: 'dim_user',
  columns: ['user_id', 'signup_at', 'gender', 'birth_year', 'region_key', 'source_file_id', 'updated_at'],
  conflictColumn: 'user_id',
  updateColumns: ['signup_at', 'gender', 'birth_year', 'region_key', 'source_file_id', 'updated_at'],
};
const SERVICE_UPSERT: UpsertSpec = {
  table: 'dim_service',
  columns: ['service_id', 'name', 'category_key', 'region_key', 'price', 'created_at', 'source_file_id', 'updated_at'],
  conflictColumn: 'service_id',
  updateColumns: ['name', 'category_key', 'region_key', 'price', 'created_at', 'source_file_id', 'updated_at'],
};
/** A repeated reservation_id updates the reservation's status and rating (the contract's update rule). */
const RESERVATION_UPSERT: UpsertSpec = {
  table: 'fact_reservation',
  columns: ['reservation_id', 'user_key', 'service_key', 'date_key', 'status', 'reserved_at', 'rating', 'source_file_id', 'updated_at'],
  conflictColumn: 'reservation_id',
  updateColumns: ['status', 'rating', 'source_file_id', 'updated_at'],
};
const DATE_COLUMNS = ['date_key', 'full_date', 'year', 'quarter', 'month', 'day', 'iso_week', 'weekday', 'is_weekend'];

type Db = Kysely<WarehouseDb> | Transaction<WarehouseDb>;

/**
 * Writes validated rows into the star schema inside one transaction: get-or-create of regions,
 * categories and dates, upsert of dimensions by natural key, insert-or-update of facts.
 * Keeps natural → surrogate key maps in memory so that facts resolve without a join per row.
 */
export class StarWriter {
  readonly #db: Db;
  readonly #dialect: WarehouseDialect;
  readonly #fileId: number;
  readonly #now: string;
  readonly #regions = new Map<string, number>();
  readonly #categories = new Map<string, number>();
  #dates: Set<number> | undefined;
  #users: Map<string, number> | undefined;
  #services: Map<string, number> | undefined;

  constructor(options: { db: Db; dialect: WarehouseDialect; fileId: number; now: string }) {
    this.#db = options.db;
    this.#dialect = options.dialect;
    this.#fileId = options.fileId;
    this.#now = options.now;
  }

  async #exec(sqlText: string, params: unknown[]): Promise<void> {
    await this.#dialect.execBulk(this.#db, sqlText, params);
  }

  /** Runs a multi-row statement in chunks that respect the backend's parameter limit. */
  async #bulk(columns: number, params: unknown[], sqlFor: (rows: number) => string): Promise<void> {
    const rowsPerStatement = Math.max(1, Math.floor(this.#dialect.maxParameters / columns));
    const total = params.length / columns;
    for (let start = 0; start < total; start += rowsPerStatement) {
      const rows = Math.min(rowsPerStatement, total - start);
      const slice = start === 0 && rows === total ? params : params.slice(start * columns, (start + rows) * columns);
      await this.#exec(sqlFor(rows), slice);
    }
  }

  async #labelKeys(kind: 'region' | 'category', names: Iterable<string | null>): Promise<Map<string, number>> {
    const cache = kind === 'region' ? this.#regions : this.#categories;
    const missing = [...new Set([...names].filter((n): n is string => n !== null && !cache.has(n)))];
    if (missing.length === 0) return cache;
    const table = kind === 'region' ? 'dim_region' : 'dim_category';
    const column = kind === 'region' ? 'region_name' : 'category_name';
    await this.#bulk(1, missing, (rows) => this.#dialect.insertIgnoreSql(table, [column], rows));
    const found =
      kind === 'region'
        ? await this.#db.selectFrom('dimRegion').select(['regionName as name', 'regionKey as key']).where('regionName', 'in', missing).execute()
        : await this.#db.selectFrom('dimCategory').select(['categoryName as name', 'categoryKey as key']).where('categoryName', 'in', missing).execute();
    for (const r of found) cache.set(r.name, Number(r.key));
    return cache;
  }

  async writeUsers(rows: readonly UserRow[]): Promise<void> {
    if (rows.length === 0) return;
    const regions = await this.#labelKeys('region', rows.map((r) => r.region));
    const params: unknown[] = [];
    for (const r of rows) {
      params.push(r.userId, r.signupAt, r.gender, r.birthYear, r.region === null ? null : regions.get(r.region), this.#fileId, this.#now);
    }
    await this.#bulk(USER_UPSERT.columns.length, params, (n) => this.#dialect.upsertSql(USER_UPSERT, n));
  }

  async writeServices(rows: readonly ServiceRow[]): Promise<void> {
    if (rows.length === 0) return;
    const regions = await this.#labelKeys('region', rows.map((r) => r.region));
    const categories = await this.#labelKeys('category', rows.map((r) => r.category));
    const params: unknown[] = [];
    for (const r of rows) {
      params.push(r.serviceId, r.name, categories.get(r.category), r.region === null ? null : regions.get(r.region), r.price, r.createdAt, this.#fileId, this.#now);
    }
    await this.#bulk(SERVICE_UPSERT.columns.length, params, (n) => this.#dialect.upsertSql(SERVICE_UPSERT, n));
  }

  /** Natural → surrogate key maps of users and services as committed so far (loaded once per writer). */
  async keyMaps(): Promise<{ users: ReadonlyMap<string, number>; services: ReadonlyMap<string, number> }> {
    if (this.#users === undefined) {
      const rows = await this.#db.selectFrom('dimUser').select(['userId', 'userKey']).execute();
      this.#users = new Map(rows.map((r) => [r.userId, Number(r.userKey)]));
    }
    if (this.#services === undefined) {
      const rows = await this.#db.selectFrom('dimService').select(['serviceId', 'serviceKey']).execute();
      this.#services = new Map(rows.map((r) => [r.serviceId, Number(r.serviceKey)]));
    }
    return { users: this.#users, services: this.#services };
  }

  /** Reservations whose user and service keys are already resolved (see {@link keyMaps}). */
  async writeReservations(rows: readonly ReservationRow[], keys: { users: ReadonlyMap<string, number>; services: ReadonlyMap<string, number> }): Promise<void> {
    if (rows.length === 0) return;
    await this.#ensureDates(rows);
    const width = RESERVATION_UPSERT.columns.length;
    const params = new Array<unknown>(rows.length * width);
    const users = keys.users;
    const services = keys.services;
    for (let i = 0, p = 0; i < rows.length; i++, p += width) {
      const r = rows[i]!;
      params[p] = r.reservationId;
      params[p + 1] = users.get(r.userId);
      params[p + 2] = services.get(r.serviceId);
      params[p + 3] = r.dateKey;
      params[p + 4] = r.status;
      params[p + 5] = r.reservedAt;
      params[p + 6] = r.rating;
      params[p + 7] = this.#fileId;
      params[p + 8] = this.#now;
    }
    await this.#bulk(RESERVATION_UPSERT.columns.length, params, (n) => this.#dialect.upsertSql(RESERVATION_UPSERT, n));
  }

  async #ensureDates(rows: readonly ReservationRow[]): Promise<void> {
    if (this.#dates === undefined) {
      const existing = await this.#db.selectFrom('dimDate').select('dateKey').execute();
      this.#dates = new Set(existing.map((d) => Number(d.dateKey)));
    }
    const known = this.#dates;
    const fresh = new Set<number>();
    for (const r of rows) if (!known.has(r.dateKey)) fresh.add(r.dateKey);
    if (fresh.size === 0) return;
    const params: unknown[] = [];
    for (const key of fresh) {
      const c = calendarOf(key);
      params.push(key, c.fullDate, c.year, c.quarter, c.month, c.day, c.isoWeek, c.weekday, c.isWeekend);
      known.add(key);
    }
    await this.#bulk(DATE_COLUMNS.length, params, (n) => this.#dialect.insertIgnoreSql('dim_date', DATE_COLUMNS, n));
  }
}
