import { toUtcText, ConflictError, NotFoundError, ValidationError } from '../shared/index.ts';
import { RegistryRepo, TrackingRepo, type EventRow, type Warehouse } from '../warehouse/index.ts';

export interface RegisteredVersion {
  readonly name: string;
  readonly version: number;
  readonly runId: string;
  readonly status: 'active' | 'archived';
  readonly createdAt: string;
  readonly aliases: readonly string[];
}

/** One change of a registered model: who registered, promoted, rolled back or archived what, when and why. */
export type RegistryEvent = EventRow;

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/;
const ALIAS = /^[a-z][a-z0-9_-]{0,63}$/;
const ATTEMPTS = 50;

/**
 * The model registry (registry_* tables): registered model names with immutable numbered versions, each made
 * from a tracked run; movable aliases (champion, challenger, any name); every change recorded with who, when
 * and why. Policy (the promotion gate) lives with the caller; this class keeps the records consistent.
 */
export class ModelRegistry {
  readonly #repo: RegistryRepo;
  readonly #runs: TrackingRepo;
  readonly #now: () => Date;

  constructor(warehouse: Warehouse, now: () => Date = () => new Date()) {
    this.#repo = new RegistryRepo(warehouse);
    this.#runs = new TrackingRepo(warehouse);
    this.#now = now;
  }

  /** A new version of `name` from `runId` (the next number, also when processes race). */
  async register(name: string, runId: string, actor: string, reason: string): Promise<number> {
    if (!NAME.test(name))
      throw new ValidationError(`model name '${name}' must be letters, digits, '.', '_' or '-' (at most 200, starting with a letter or digit)`);
    const status = await this.#runs.runStatus(runId);
    if (status === undefined) throw new NotFoundError(`no run ${runId}`);
    if (status !== 'finished') throw new ValidationError(`run ${runId} is ${status}: only finished runs can be registered`);
    const version = await this.#repo.insertNextVersion({ modelName: name, runId, status: 'active', createdAt: toUtcText(this.#now()) }, ATTEMPTS);
    if (version !== undefined) {
      await this.#event(name, { action: 'register', version, alias: null, previousVersion: null, actor, reason });
      return version;
    }
    throw new ConflictError(`model ${name}: no free version number after ${ATTEMPTS} attempts`);
  }

  names(): Promise<string[]> {
    return this.#repo.names();
  }

  async versions(name: string): Promise<RegisteredVersion[]> {
    const rows = await this.#repo.versions(name);
    const aliases = await this.#repo.aliases(name);
    return rows.map((r) => ({ name, ...r, aliases: aliases.filter((a) => a.version === r.version).map((a) => a.alias) }));
  }

  async version(name: string, version: number): Promise<RegisteredVersion> {
    const row = await this.#repo.version(name, version);
    if (row === undefined) {
      const known = await this.#repo.exists(name);
      throw new NotFoundError(`model ${name} has no version ${version}${known ? '' : ' (no such registered model)'}`);
    }
    const aliases = await this.#repo.aliases(name, version);
    return { name, ...row, aliases: aliases.map((a) => a.alias) };
  }

  /** The version `alias` points to, or undefined. */
  aliasTarget(name: string, alias: string): Promise<number | undefined> {
    return this.#repo.aliasTarget(name, alias);
  }

  /** Points `alias` at `version` (promote) and records the move. */
  async setAlias(
    name: string,
    alias: string,
    version: number,
    actor: string,
    reason: string,
    action: 'promote' | 'rollback' = 'promote',
  ): Promise<number | undefined> {
    if (!ALIAS.test(alias)) throw new ValidationError(`alias '${alias}' must be lower-case letters, digits, '_' or '-', starting with a letter`);
    const target = await this.version(name, version);
    if (target.status === 'archived') throw new ConflictError(`model ${name} version ${version} is archived and cannot take an alias`);
    const previous = await this.aliasTarget(name, alias);
    await this.#repo.moveAlias({ name, alias, version, updatedAt: toUtcText(this.#now()) });
    await this.#event(name, { action, version, alias, previousVersion: previous ?? null, actor, reason });
    return previous;
  }

  /** Moves `alias` back to the version it pointed to before its latest move. */
  async rollback(name: string, alias: string, actor: string, reason: string): Promise<{ from: number; to: number }> {
    const current = await this.aliasTarget(name, alias);
    if (current === undefined) throw new NotFoundError(`model ${name} has no alias '${alias}'`);
    const moves = (await this.events(name)).filter((e) => e.alias === alias && (e.action === 'promote' || e.action === 'rollback'));
    const last = moves.at(-1);
    if (last?.previousVersion === null || last?.previousVersion === undefined)
      throw new ConflictError(`alias '${alias}' of model ${name} has no earlier version to roll back to`);
    await this.setAlias(name, alias, last.previousVersion, actor, reason, 'rollback');
    return { from: current, to: last.previousVersion };
  }

  /** Archives a version; one that an alias points to must lose the alias first. */
  async archive(name: string, version: number, actor: string, reason: string): Promise<void> {
    const target = await this.version(name, version);
    if (target.aliases.length > 0) throw new ConflictError(`model ${name} version ${version} is ${target.aliases.join(', ')}: move the alias first`);
    await this.#repo.setStatus(name, version, 'archived');
    await this.#event(name, { action: 'archive', version, alias: null, previousVersion: null, actor, reason });
  }

  events(name: string): Promise<RegistryEvent[]> {
    return this.#repo.events(name);
  }

  async #event(name: string, e: Omit<RegistryEvent, 'at'>): Promise<void> {
    await this.#repo.insertEvent(name, { ...e, reason: e.reason.slice(0, 1000), at: toUtcText(this.#now()) });
  }
}
