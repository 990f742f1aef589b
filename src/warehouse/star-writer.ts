import type { Kysely, Transaction } from 'kysely';
import { calendarOf, RESERVATION_INTS, STATUS_BY_CODE, type DimensionKeys, type ReservationColumns, type ServiceRow, type UserRow } from '../shared/index.ts';
import { BulkBuffer } from './bulk-buffer.ts';
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
 * categories and dates, upsert of dimensions by natural key, insert-or-update of facts. Rows go out in
 * statements of one size; {@link StarWriter.finish} sends the rest.
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
  readonly #buffers = new Map<UpsertSpec, BulkBuffer>();

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

  /** A buffer of fixed-size upserts into `spec`'s table (created on first use). */
  #buffer(spec: UpsertSpec): BulkBuffer {
    let buffer = this.#buffers.get(spec);
    if (buffer === undefined) {
      const width = spec.columns.length;
      const capacity = Math.max(1, Math.floor(Math.min(this.#dialect.statementParameters, this.#dialect.maxParameters) / width));
      buffer = new BulkBuffer(width, capacity, (rows, params) => this.#exec(this.#dialect.upsertSql(spec, rows), params));
      this.#buffers.set(spec, buffer);
    }
    return buffer;
  }

  async writeUsers(rows: readonly UserRow[]): Promise<void> {
    if (rows.length === 0) return;
    const regions = await this.#labelKeys(
      'region',
      rows.map((r) => r.region),
    );
    const buffer = this.#buffer(USER_UPSERT);
    for (const r of rows) {
      await buffer.append([r.userId, r.signupAt, r.gender, r.birthYear, r.region === null ? null : regions.get(r.region), this.#fileId, this.#now]);
    }
  }

  async writeServices(rows: readonly ServiceRow[]): Promise<void> {
    if (rows.length === 0) return;
    const regions = await this.#labelKeys(
      'region',
      rows.map((r) => r.region),
    );
    const categories = await this.#labelKeys(
      'category',
      rows.map((r) => r.category),
    );
    const buffer = this.#buffer(SERVICE_UPSERT);
    for (const r of rows) {
      await buffer.append([
        r.serviceId,
        r.name,
        categories.get(r.category),
        r.region === null ? null : regions.get(r.region),
        r.price,
        r.createdAt,
        this.#fileId,
        this.#now,
      ]);
    }
  }

  /** Natural → surrogate key maps of users and services as committed so far (loaded once per writer). */
  async keyMaps(): Promise<DimensionKeys> {
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

  /** Reservations with their keys resolved (see {@link reservationColumns}). */
  async writeReservations(columns: ReservationColumns): Promise<void> {
    if (columns.n === 0) return;
    await this.#ensureDates(columns);
    const buffer = this.#buffer(RESERVATION_UPSERT);
    const { strings, ints } = columns;
    const width = buffer.width;
    for (let i = 0, s = 0, k = 0; i < columns.n; i++, s += 2, k += RESERVATION_INTS) {
      const params = buffer.params;
      const p = buffer.rows++ * width;
      params[p] = strings[s];
      params[p + 1] = ints[k];
      params[p + 2] = ints[k + 1];
      params[p + 3] = ints[k + 2];
      params[p + 4] = STATUS_BY_CODE[ints[k + 3]!];
      params[p + 5] = strings[s + 1];
      params[p + 6] = ints[k + 4] === 0 ? null : ints[k + 4];
      params[p + 7] = this.#fileId;
      params[p + 8] = this.#now;
      if (buffer.full) await buffer.flush();
    }
  }

  /** Writes what the buffers still hold. Call once after the last write, before the transaction commits. */
  async finish(): Promise<void> {
    for (const buffer of this.#buffers.values()) await buffer.flush();
  }

  async #ensureDates(columns: ReservationColumns): Promise<void> {
    if (this.#dates === undefined) {
      const existing = await this.#db.selectFrom('dimDate').select('dateKey').execute();
      this.#dates = new Set(existing.map((d) => Number(d.dateKey)));
    }
    const known = this.#dates;
    const fresh = new Set<number>();
    const { ints } = columns;
    for (let k = 2; k < ints.length; k += RESERVATION_INTS) if (!known.has(ints[k]!)) fresh.add(ints[k]!);
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
