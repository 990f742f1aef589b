import type { Insertable, Kysely } from 'kysely';
import { BulkBuffer } from './bulk-buffer.ts';
import type { MergeRule, WarehouseDialect } from './dialects/warehouse-dialect.ts';
import type { FactFeedbackTable, RecListTable, WarehouseDb } from './schema.ts';
import { shownServiceIds } from './shown-items.ts';

/** yyyymmddhh (UTC) of a warehouse time text (`YYYY-MM-DD HH:MM:SS.mmm`): the rollups' hour key. */
export function hourKeyOf(at: string): number {
  return Number(at.slice(0, 4)) * 1_000_000 + Number(at.slice(5, 7)) * 10_000 + Number(at.slice(8, 10)) * 100 + Number(at.slice(11, 13));
}

const FEEDBACK_KEY = ['hour_key', 'model_name', 'model_version', 'basis', 'type'] as const;
const SERVED_KEY = ['hour_key', 'model_name', 'registry_version', 'basis'] as const;
const SHOWN_KEY = ['model_name', 'registry_version', 'service_id'] as const;

/**
 * Adds facts just inserted to the rollups (agg_feedback_hour, agg_served_hour, agg_shown_service), on the
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
    await this.#upsert('agg_feedback_hour', FEEDBACK_KEY, { events: 'add', unattributed: 'add' }, groups);
  }

  /**
   * Counts lists stored (each once: the caller passes only lists not recorded before) into agg_served_hour, and
   * moves agg_shown_service's latest hour of each service shown; services whose hour `stored` already holds
   * (committed earlier) are not written again. Returns the keys written, for the caller to remember once its
   * transaction commits.
   */
  async addServedLists(rows: readonly Insertable<RecListTable>[], stored?: ShownKeys): Promise<string[]> {
    const hours = new Map<string, unknown[]>();
    /** The latest hour each (model, version, service) was shown in these lists. */
    const shown = new Map<string, unknown[]>();
    for (const r of rows) {
      const hourKey = hourKeyOf(r.createdAt);
      const modelName = r.modelName ?? '';
      const version = r.registryVersion ?? 0;
      const id = `${hourKey}\n${modelName}\n${version}\n${r.basis}`;
      let g = hours.get(id);
      if (g === undefined) hours.set(id, (g = [hourKey, modelName, version, r.basis, 0, 0]));
      g[4] = (g[4] as number) + 1;
      g[5] = (g[5] as number) + r.itemCount;
      if (r.itemCount === 0) continue;
      for (const serviceId of shownServiceIds(r.items)) {
        const key = `${modelName}\n${version}\n${serviceId}`;
        const s = shown.get(key);
        if (s === undefined) shown.set(key, [modelName, version, serviceId, hourKey]);
        else if ((s[3] as number) < hourKey) s[3] = hourKey;
      }
    }
    await this.#upsert('agg_served_hour', SERVED_KEY, { lists: 'add', items: 'add' }, hours);
    const fresh = new Map<string, readonly unknown[]>();
    const written: string[] = [];
    for (const [key, row] of shown) {
      const k = `${row[3] as number}\n${key}`;
      if (stored?.has(k)) continue;
      fresh.set(key, row);
      written.push(k);
    }
    await this.#upsert('agg_shown_service', SHOWN_KEY, { last_hour: 'max' }, fresh);
    return written;
  }

  /**
   * Upserts `groups` in the order of their keys: transactions that add to the same rollup rows (feedback requests and
   * a feedback file's load at once) then lock them in one order, and wait for each other instead of deadlocking.
   */
  async #upsert(
    table: string,
    keyColumns: readonly string[],
    merge: Readonly<Record<string, MergeRule>>,
    groups: ReadonlyMap<string, readonly unknown[]>,
  ): Promise<void> {
    const width = keyColumns.length + Object.keys(merge).length;
    const buffer = this.#buffer(width, (n) => this.#dialect.mergingUpsertSql({ table, keyColumns, merge }, n));
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
 * agg_shown_service hours known to be stored (committed): (hour, model, version, service) keys, so a process
 * recording lists writes each service's latest hour once per hour instead of once per commit group: most of what
 * recording a list would otherwise cost the rollups. A stored hour only ever moves forward, so a key once stored
 * stays true; the set is emptied when it reaches `limit` keys (a few MB), after which keys are written again once each.
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
