import {
  loadTrainedModel,
  ModelBundleStore,
  ModelRegistry,
  resolveModel,
  type LoadedModel,
  type ModelLocation,
  type ServiceCatalog,
} from '../registry/index.ts';
import { NotFoundError } from '../shared/index.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { Warehouse } from '../warehouse/index.ts';

/** Which model the server answers with: a registered model's alias, or the newest trained bundle. */
export interface ModelChoice {
  /** Registered model name; with `alias`, the version the alias points to (checked against recorded SHA-256). */
  readonly name?: string;
  readonly alias: string;
}

/** A loaded model, where it came from, and its services' names, categories and regions as last read. */
export interface ServedModel {
  readonly loaded: LoadedModel;
  readonly catalog: ServiceCatalog;
  /** What it was loaded for (see {@link currentTarget}). */
  readonly target: string;
  readonly name: string | null;
  readonly alias: string | null;
  readonly version: number | null;
  readonly prefix: string;
  readonly loadedAt: string;
  readonly loadSeconds: number;
}

/**
 * What should be served now: `name@vN` (the version the alias points to) or `latest:<prefix>` (the newest
 * bundle). A change of this text is what triggers a swap.
 */
export async function currentTarget(warehouse: Warehouse, store: ObjectStore, choice: ModelChoice): Promise<string> {
  if (choice.name === undefined) return `latest:${await new ModelBundleStore(store).latestPrefix()}`;
  const version = await new ModelRegistry(warehouse).aliasTarget(choice.name, choice.alias);
  if (version === undefined) throw new NotFoundError(`model ${choice.name} has no alias '${choice.alias}': promote a version first (pickwise models promote)`);
  return `${choice.name}@v${version}`;
}

/** Loads a target of {@link currentTarget} (registry versions with their artifacts verified); the catalog comes apart. */
export async function loadServedModel(warehouse: Warehouse, store: ObjectStore, choice: ModelChoice, target: string): Promise<Omit<ServedModel, 'catalog'>> {
  const started = performance.now();
  const { prefix, digests }: ModelLocation = target.startsWith('latest:') ? { prefix: target.slice('latest:'.length) } : await resolveModel(warehouse, target);
  const loaded = await loadTrainedModel(store, prefix, digests);
  return {
    loaded,
    target,
    name: choice.name ?? null,
    alias: choice.name === undefined ? null : choice.alias,
    version: target.includes('@v') ? Number(target.split('@v')[1]) : null,
    prefix,
    loadedAt: new Date().toISOString(),
    loadSeconds: (performance.now() - started) / 1000,
  };
}
