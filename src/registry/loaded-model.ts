import { recommenderFromArtifact, decodeArtifact, type CsrMatrix, type Recommender, PopularRecommender } from '../models/index.ts';
import { NotFoundError } from '../shared/index.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import type { ArtifactDigests } from './artifact-digests.ts';
import { ModelBundleStore, type ModelManifest } from './model-bundle-store.ts';
import { ModelRegistry } from './model-registry.ts';
import { RunTracker } from './run-tracker.ts';

/**
 * A trained model ready to answer for external ids: what the CLI (`pickwise recommend`), the batch job and
 * the API share.
 */
export interface LoadedModel {
  readonly manifest: ModelManifest;
  readonly model: Recommender;
  /** The encoded model in shared memory (worker threads decode views on it). */
  readonly modelBytes: Uint8Array;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly userIndex: ReadonlyMap<string, number>;
  /** Service id → dense item id. */
  readonly itemIndex: ReadonlyMap<string, number>;
  readonly seen: CsrMatrix;
  /** Popularity over the model's training data: the answer for users the model knows but has no reservations of. */
  readonly fallback: Recommender;
}

/**
 * Loads the newest trained model (or the one at `prefix`) from the bucket; a corrupted artifact is a clear error.
 * With `digests` (see {@link resolveModel}), every file is checked against what its run recorded as it is read.
 */
export async function loadTrainedModel(store: ObjectStore, prefix?: string, digests?: ArtifactDigests): Promise<LoadedModel> {
  const bundle = await new ModelBundleStore(store).load(prefix, digests);
  const model = recommenderFromArtifact(decodeArtifact(bundle.model));
  const fallback = new PopularRecommender();
  await fallback.fit(bundle.seen);
  return {
    fallback,
    manifest: bundle.manifest,
    model,
    modelBytes: bundle.model,
    userIds: bundle.userIds,
    itemIds: bundle.itemIds,
    userIndex: new Map(bundle.userIds.map((id, i) => [id, i])),
    itemIndex: new Map(bundle.itemIds.map((id, i) => [id, i])),
    seen: bundle.seen,
  };
}

/** Where a model's files are, and for a registered version the sizes and digests they must have. */
export interface ModelLocation {
  readonly prefix: string;
  readonly digests?: ArtifactDigests;
  /** The registered model and version it was resolved from, when it came from the registry. */
  readonly registered?: { readonly name: string; readonly version: number };
}

/**
 * The bucket prefix of a model given as `NAME@ALIAS` (e.g. `als@champion`) or `NAME@vN` from the registry,
 * with its run's recorded artifact sizes and SHA-256 for {@link loadTrainedModel} to check; any other text is
 * taken as a prefix.
 */
export async function resolveModel(warehouse: Warehouse, spec: string): Promise<ModelLocation> {
  const at = spec.indexOf('@');
  if (at < 0) return { prefix: spec };
  const name = spec.slice(0, at);
  const ref = spec.slice(at + 1);
  const registry = new ModelRegistry(warehouse);
  const version = /^v\d+$/.test(ref) ? Number(ref.slice(1)) : await registry.aliasTarget(name, ref);
  if (version === undefined) throw new NotFoundError(`model ${name} has no alias '${ref}' (pickwise models show ${name})`);
  const v = await registry.version(name, version);
  const runs = new RunTracker(warehouse);
  const run = await runs.get(v.runId);
  if (!run.artifactPrefix) throw new NotFoundError(`model ${name} version ${version} (run ${v.runId}) has no stored artifacts`);
  return { prefix: run.artifactPrefix, digests: await runs.recordedArtifacts(v.runId), registered: { name, version } };
}
