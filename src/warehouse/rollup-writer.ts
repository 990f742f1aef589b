import type { Insertable, Kysely } from 'kysely';
import { BulkBuffer } from './bulk-buffer.ts';
import type { WarehouseDialect } from './dialects/warehouse-dialect.ts';
import type { FactFeedbackTable, RecListTable, WarehouseDb } from './schema.ts';
import { shownServiceIds } from './shown-items.ts';

/** yyyymmddhh (UTC) of a warehouse time text (`YYYY-MM-DD HH:MM:SS.mmm`): the rollups' hour key. */
export function hourKeyOf(at: string): number {
  return Number(at.slice(0, 4)) * 1_000_000 + Number(at.slice(5, 7)) * 10_000 + Number(at.slice(8, 10)) * 100 + Number(at.slice(11, 13));
}

const FEEDBACK_KEY = ['hour_key', 'model_name', 'model_version', 'basis', 'type'] as const;
const SERVED_KEY = ['hour_key', 'model_name', 'registry_version', 'basis'] as const;
const SHOWN_COLUMNS = ['day_key', 'model_name', 'registry_version', 'service_id'] as const;

/**
 * Adds facts just inserted to the rollups (agg_feedback_hour, agg_served_hour, agg_shown_service_day), on the
 * connection or transaction that inserted them: grouped in memory first, so a batch costs one upsert per
 * rollup (per few hundred distinct keys), not one per fact.
 */
export class RollupWriter {
  readonly #db: Kysely<WarehouseDb>;
  readonly #dialect: WarehouseDialect;

  constructor(o: { db: Kysely<WarehouseDb>; dialect: WarehouseDialect }) {
    this.#db = o.db;
    this.#dialect = o.dialect;
  }

  /** Counts stored events into agg_feedback_hour. */
  async addEvents(rows: readonly Insertable<FactFeedbackTable>[]): Promise<void> {
    const groups = new Map<string, unknown[]>();
    for (const r of rows) {
      const key = [hourKeyOf(r.at), r.modelName ?? '', r.modelVersion ?? 0, r.basis ?? '', r.type] as const;
      const id = key.join('\n');
      let g = groups.get(id);
      if (g === undefined) groups.set(id, (g = [...key, 0, 0]));
      g[5] = (g[5] as number) + 1;
      if (r.attribution === 'none') g[6] = (g[6] as number) + 1;
    }
    await this.#upsert('agg_feedback_hour', FEEDBACK_KEY, ['events', 'unattributed'], groups);
  }

  /**
   * Counts lists stored (each once: the caller passes only lists not recorded before) into agg_served_hour and
   * agg_shown_service_day; services shown that `stored` already holds (committed earlier) are not written again.
   * Returns the agg_shown_service_day keys written, for the caller to remember once its transaction commits.
   */
  async addServedLists(rows: readonly Insertable<RecListTable>[], stored?: ShownKeys): Promise<string[]> {
    const hours = new Map<string, unknown[]>();
    /** Services shown by (day, model, version). */
    const shown = new Map<string, { key: readonly unknown[]; services: Set<string> }>();
    for (const r of rows) {
      const hourKey = hourKeyOf(r.createdAt);
      const modelName = r.modelName ?? '';
      const version = r.registryVersion ?? 0;
      const scope = `${modelName}\n${version}`;
      const id = `${hourKey}\n${scope}\n${r.basis}`;
      let g = hours.get(id);
      if (g === undefined) hours.set(id, (g = [hourKey, modelName, version, r.basis, 0, 0]));
      g[4] = (g[4] as number) + 1;
      g[5] = (g[5] as number) + r.itemCount;
      if (r.itemCount === 0) continue;
      const dayKey = Math.floor(hourKey / 100);
      const day = `${dayKey}\n${scope}`;
      let s = shown.get(day);
      if (s === undefined) shown.set(day, (s = { key: [dayKey, modelName, version], services: new Set() }));
      for (const serviceId of shownServiceIds(r.items)) s.services.add(serviceId);
    }
    await this.#upsert('agg_served_hour', SERVED_KEY, ['lists', 'items'], hours);
    const buffer = this.#buffer(SHOWN_COLUMNS.length, (n) => this.#dialect.insertIgnoreSql('agg_shown_service_day', SHOWN_COLUMNS, n));
    const fresh = new Map<string, readonly unknown[]>();
    for (const [day, { key, services }] of shown)
      for (const serviceId of services) {
        const k = `${day}\n${serviceId}`;
        if (!stored?.has(k)) fresh.set(k, [...key, serviceId]);
      }
    // In key order, as the upserts (see #upsert).
    const written = [...fresh.keys()].sort();
    for (const k of written) await buffer.append(fresh.get(k)!);
    await buffer.flush();
    return written;
  }

  /**
   * Upserts `groups` in the order of their keys: transactions that add to the same rollup rows (feedback requests and
   * a feedback file's load at once) then lock them in one order, and wait for each other instead of deadlocking.
   */
  async #upsert(table: string, keyColumns: readonly string[], addColumns: readonly string[], groups: ReadonlyMap<string, readonly unknown[]>): Promise<void> {
    const buffer = this.#buffer(keyColumns.length + addColumns.length, (n) => this.#dialect.addingUpsertSql({ table, keyColumns, addColumns }, n));
    for (const key of [...groups.keys()].sort()) await buffer.append(groups.get(key)!);
    await buffer.flush();
  }

  #buffer(width: number, sqlFor: (rows: number) => string): BulkBuffer {
    const d = this.#dialect;
    const capacity = Math.max(1, Math.floor(Math.min(d.statementParameters, d.maxParameters) / width));
    return new BulkBuffer(width, capacity, (n, params) => d.execBulk(this.#db, sqlFor(n), params));
  }
}

/**
 * agg_shown_service_day keys known to be stored (committed), so a process recording lists all day writes each
 * (day, model, version, service) once instead of once per commit group: most of what recording a list would
 * otherwise cost the rollups. Rows are never deleted, so a key once stored stays stored; the set is emptied when
 * it reaches `limit` keys (a few MB), after which keys are written again once each.
 */
export class ShownKeys {
  readonly #keys = new Set<string>();
  readonly #limit: number;

  constructor(limit = 200_000) {
    this.#limit = limit;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  /** Remembers keys whose rows are committed. */
  addAll(keys: readonly string[]): void {
    if (this.#keys.size + keys.length > this.#limit) this.#keys.clear();
    for (const k of keys) this.#keys.add(k);
  }
}
