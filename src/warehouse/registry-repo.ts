import type { Insertable } from 'kysely';
import type { Warehouse } from './open-warehouse.ts';
import type { RegistryEventTable, RegistryVersionTable } from './schema.ts';

/** A registered model version (registry_version); numbers as numbers on every backend. */
export interface VersionRow {
  readonly version: number;
  readonly runId: string;
  readonly status: RegistryVersionTable['status'];
  readonly createdAt: string;
}

/** An alias of a registered model and the version it points to (registry_alias). */
export interface AliasRow {
  readonly alias: string;
  readonly version: number;
}

/** One recorded registry change (registry_event), oldest first by id. */
export interface EventRow {
  readonly action: RegistryEventTable['action'];
  readonly version: number | null;
  readonly alias: string | null;
  readonly previousVersion: number | null;
  readonly actor: string;
  readonly reason: string;
  readonly at: string;
}

/**
 * The SQL of the model registry (registry_version, registry_alias, registry_event): numbered versions per model
 * name, movable aliases and the audit trail. Version numbers are taken through the version table's unique key, so
 * processes that register at the same time get consecutive numbers.
 */
export class RegistryRepo {
  readonly #warehouse: Pick<Warehouse, 'db' | 'dialect'>;

  constructor(warehouse: Pick<Warehouse, 'db' | 'dialect'>) {
    this.#warehouse = warehouse;
  }

  /**
   * Inserts a version of `modelName` under the next number (1 for the first), taking the following one when another
   * process took that first, at most `attempts` times. Returns the number, or undefined when every attempt lost.
   */
  insertNextVersion(row: Omit<Insertable<RegistryVersionTable>, 'version'>, attempts: number): Promise<number | undefined> {
    const { db, dialect } = this.#warehouse;
    return dialect.insertNextNumber({
      first: 1,
      attempts,
      highest: async () => {
        const top = await db
          .selectFrom('registryVersion')
          .select((eb) => eb.fn.max('version').as('v'))
          .where('modelName', '=', row.modelName)
          .executeTakeFirst();
        return top?.v === null || top?.v === undefined ? null : Number(top.v);
      },
      insert: (version) =>
        db
          .insertInto('registryVersion')
          .values({ ...row, version })
          .execute(),
    });
  }

  /** Every registered model name, sorted. */
  async names(): Promise<string[]> {
    const rows = await this.#warehouse.db.selectFrom('registryVersion').select('modelName').distinct().orderBy('modelName').execute();
    return rows.map((r) => r.modelName);
  }

  /** The versions of `name`, by number. */
  async versions(name: string): Promise<VersionRow[]> {
    const rows = await this.#warehouse.db
      .selectFrom('registryVersion')
      .select(['version', 'runId', 'status', 'createdAt'])
      .where('modelName', '=', name)
      .orderBy('version')
      .execute();
    return rows.map(versionRow);
  }

  /** One version of `name`, or undefined. */
  async version(name: string, version: number): Promise<VersionRow | undefined> {
    const row = await this.#warehouse.db
      .selectFrom('registryVersion')
      .select(['version', 'runId', 'status', 'createdAt'])
      .where('modelName', '=', name)
      .where('version', '=', version)
      .executeTakeFirst();
    return row && versionRow(row);
  }

  /** Whether any version of `name` is registered. */
  async exists(name: string): Promise<boolean> {
    const row = await this.#warehouse.db.selectFrom('registryVersion').select('version').where('modelName', '=', name).limit(1).executeTakeFirst();
    return row !== undefined;
  }

  /** The aliases of `name` (of one version when given), by alias. */
  async aliases(name: string, version?: number): Promise<AliasRow[]> {
    let q = this.#warehouse.db.selectFrom('registryAlias').select(['alias', 'version']).where('modelName', '=', name).orderBy('alias');
    if (version !== undefined) q = q.where('version', '=', version);
    return (await q.execute()).map((a) => ({ alias: a.alias, version: Number(a.version) }));
  }

  /** The version `alias` of `name` points to, or undefined. */
  async aliasTarget(name: string, alias: string): Promise<number | undefined> {
    const row = await this.#warehouse.db
      .selectFrom('registryAlias')
      .select('version')
      .where('modelName', '=', name)
      .where('alias', '=', alias)
      .executeTakeFirst();
    return row === undefined ? undefined : Number(row.version);
  }

  /** Points `alias` of `name` at `version` (one transaction: the alias never disappears to a reader). */
  async moveAlias(o: { name: string; alias: string; version: number; updatedAt: string }): Promise<void> {
    await this.#warehouse.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('registryAlias').where('modelName', '=', o.name).where('alias', '=', o.alias).execute();
      await trx.insertInto('registryAlias').values({ modelName: o.name, alias: o.alias, version: o.version, updatedAt: o.updatedAt }).execute();
    });
  }

  async setStatus(name: string, version: number, status: RegistryVersionTable['status']): Promise<void> {
    await this.#warehouse.db.updateTable('registryVersion').set({ status }).where('modelName', '=', name).where('version', '=', version).execute();
  }

  async insertEvent(name: string, event: EventRow): Promise<void> {
    await this.#warehouse.db
      .insertInto('registryEvent')
      .values({ modelName: name, ...event })
      .execute();
  }

  /** Every recorded change of `name`, oldest first. */
  async events(name: string): Promise<EventRow[]> {
    const rows = await this.#warehouse.db
      .selectFrom('registryEvent')
      .select(['action', 'version', 'alias', 'previousVersion', 'actor', 'reason', 'at'])
      .where('modelName', '=', name)
      .orderBy('eventId')
      .execute();
    return rows.map((r) => ({
      action: r.action,
      version: r.version === null ? null : Number(r.version),
      alias: r.alias,
      previousVersion: r.previousVersion === null ? null : Number(r.previousVersion),
      actor: r.actor,
      reason: r.reason,
      at: r.at,
    }));
  }
}

function versionRow(r: { version: number; runId: string; status: RegistryVersionTable['status']; createdAt: string }): VersionRow {
  return { version: Number(r.version), runId: r.runId, status: r.status, createdAt: r.createdAt };
}
