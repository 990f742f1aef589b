import { toUtcText } from '../preprocess/index.ts';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors.ts';
import type { Warehouse } from '../warehouse/index.ts';

export interface RegisteredVersion {
  readonly name: string;
  readonly version: number;
  readonly runId: string;
  readonly status: 'active' | 'archived';
  readonly createdAt: string;
  readonly aliases: readonly string[];
}

export interface RegistryEvent {
  readonly action: 'register' | 'promote' | 'rollback' | 'archive';
  readonly version: number | null;
  readonly alias: string | null;
  readonly previousVersion: number | null;
  readonly actor: string;
  readonly reason: string;
  readonly at: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;
const ALIAS = /^[a-z][a-z0-9_-]{0,63}$/;
const ATTEMPTS = 50;

/**
 * The model registry (registry_* tables): registered model names with immutable numbered versions, each made
 * from a tracked run; movable aliases (champion, challenger, any name); every change recorded with who, when
 * and why. Policy (the promotion gate) lives with the caller; this class keeps the records consistent.
 */
export class ModelRegistry {
  readonly #warehouse: Warehouse;
  readonly #now: () => Date;

  constructor(warehouse: Warehouse, now: () => Date = () => new Date()) {
    this.#warehouse = warehouse;
    this.#now = now;
  }

  /** A new version of `name` from `runId` (the next number, also when processes race). */
  async register(name: string, runId: string, actor: string, reason: string): Promise<number> {
    if (!NAME.test(name)) throw new ValidationError(`model name '${name}' must be letters, digits, '.', '_' or '-' (at most 200, starting with a letter or digit)`);
    const { db, dialect } = this.#warehouse;
    const run = await db.selectFrom('trackRun').select(['runId', 'status']).where('runId', '=', runId).executeTakeFirst();
    if (run === undefined) throw new NotFoundError(`no run ${runId}`);
    if (run.status !== 'finished') throw new ValidationError(`run ${runId} is ${run.status}: only finished runs can be registered`);
    const version = await dialect.insertNextNumber({
      first: 1,
      attempts: ATTEMPTS,
      highest: async () => {
        const top = await db.selectFrom('registryVersion').select((eb) => eb.fn.max('version').as('v')).where('modelName', '=', name).executeTakeFirst();
        return top?.v === null || top?.v === undefined ? null : Number(top.v);
      },
      insert: (v) => db.insertInto('registryVersion').values({ modelName: name, version: v, runId, status: 'active', createdAt: toUtcText(this.#now()) }).execute(),
    });
    if (version !== undefined) {
      await this.#event(name, { action: 'register', version, alias: null, previousVersion: null, actor, reason });
      return version;
    }
    throw new ConflictError(`model ${name}: no free version number after ${ATTEMPTS} attempts`);
  }

  async names(): Promise<string[]> {
    const rows = await this.#warehouse.db.selectFrom('registryVersion').select('modelName').distinct().orderBy('modelName').execute();
    return rows.map((r) => r.modelName);
  }

  async versions(name: string): Promise<RegisteredVersion[]> {
    const { db } = this.#warehouse;
    const rows = await db.selectFrom('registryVersion').selectAll().where('modelName', '=', name).orderBy('version').execute();
    const aliases = await db.selectFrom('registryAlias').selectAll().where('modelName', '=', name).orderBy('alias').execute();
    return rows.map((r) => ({
      name,
      version: Number(r.version),
      runId: r.runId,
      status: r.status,
      createdAt: r.createdAt,
      aliases: aliases.filter((a) => Number(a.version) === Number(r.version)).map((a) => a.alias),
    }));
  }

  async version(name: string, version: number): Promise<RegisteredVersion> {
    const { db } = this.#warehouse;
    const row = await db.selectFrom('registryVersion').selectAll().where('modelName', '=', name).where('version', '=', version).executeTakeFirst();
    if (row === undefined) {
      const known = await db.selectFrom('registryVersion').select('version').where('modelName', '=', name).limit(1).executeTakeFirst();
      throw new NotFoundError(`model ${name} has no version ${version}${known === undefined ? ' (no such registered model)' : ''}`);
    }
    const aliases = await db.selectFrom('registryAlias').select('alias').where('modelName', '=', name).where('version', '=', version).orderBy('alias').execute();
    return { name, version, runId: row.runId, status: row.status, createdAt: row.createdAt, aliases: aliases.map((a) => a.alias) };
  }

  /** The version `alias` points to, or undefined. */
  async aliasTarget(name: string, alias: string): Promise<number | undefined> {
    const row = await this.#warehouse.db.selectFrom('registryAlias').select('version').where('modelName', '=', name).where('alias', '=', alias).executeTakeFirst();
    return row === undefined ? undefined : Number(row.version);
  }

  /** Points `alias` at `version` (promote) and records the move. */
  async setAlias(name: string, alias: string, version: number, actor: string, reason: string, action: 'promote' | 'rollback' = 'promote'): Promise<number | undefined> {
    if (!ALIAS.test(alias)) throw new ValidationError(`alias '${alias}' must be lower-case letters, digits, '_' or '-', starting with a letter`);
    const target = await this.version(name, version);
    if (target.status === 'archived') throw new ConflictError(`model ${name} version ${version} is archived and cannot take an alias`);
    const { db } = this.#warehouse;
    const previous = await this.aliasTarget(name, alias);
    await db.transaction().execute(async (trx) => {
      await trx.deleteFrom('registryAlias').where('modelName', '=', name).where('alias', '=', alias).execute();
      await trx.insertInto('registryAlias').values({ modelName: name, alias, version, updatedAt: toUtcText(this.#now()) }).execute();
    });
    await this.#event(name, { action, version, alias, previousVersion: previous ?? null, actor, reason });
    return previous;
  }

  /** Moves `alias` back to the version it pointed to before its latest move. */
  async rollback(name: string, alias: string, actor: string, reason: string): Promise<{ from: number; to: number }> {
    const current = await this.aliasTarget(name, alias);
    if (current === undefined) throw new NotFoundError(`model ${name} has no alias '${alias}'`);
    const moves = (await this.events(name)).filter((e) => e.alias === alias && (e.action === 'promote' || e.action === 'rollback'));
    const last = moves.at(-1);
    if (last?.previousVersion === null || last?.previousVersion === undefined) throw new ConflictError(`alias '${alias}' of model ${name} has no earlier version to roll back to`);
    await this.setAlias(name, alias, last.previousVersion, actor, reason, 'rollback');
    return { from: current, to: last.previousVersion };
  }

  /** Archives a version; one that an alias points to must lose the alias first. */
  async archive(name: string, version: number, actor: string, reason: string): Promise<void> {
    const target = await this.version(name, version);
    if (target.aliases.length > 0) throw new ConflictError(`model ${name} version ${version} is ${target.aliases.join(', ')}: move the alias first`);
    await this.#warehouse.db.updateTable('registryVersion').set({ status: 'archived' }).where('modelName', '=', name).where('version', '=', version).execute();
    await this.#event(name, { action: 'archive', version, alias: null, previousVersion: null, actor, reason });
  }

  async events(name: string): Promise<RegistryEvent[]> {
    const rows = await this.#warehouse.db.selectFrom('registryEvent').selectAll().where('modelName', '=', name).orderBy('eventId').execute();
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

  async #event(name: string, e: Omit<RegistryEvent, 'at'>): Promise<void> {
    await this.#warehouse.db.insertInto('registryEvent').values({ modelName: name, ...e, reason: e.reason.slice(0, 1000), at: toUtcText(this.#now()) }).execute();
  }
}
