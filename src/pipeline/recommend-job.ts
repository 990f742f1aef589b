import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { recommenderFromArtifact } from '../models/catalog.ts';
import { decodeArtifact, type CsrMatrix, type Recommender, type TopK } from '../models/core/index.ts';
import { PopularRecommender } from '../models/popular/index.ts';
import { ModelBundleStore, ModelRegistry, RunTracker, type ArtifactDigests, type ModelManifest } from '../registry/index.ts';
import { csvLine } from '../shared/csv-line.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import { startWorker } from '../shared/worker-thread.ts';

/** A trained model ready to answer for external ids. */
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

/** What a user's list is based on: the model, or popularity for a user without reservations in its data. */
export type RecommendationBasis = 'model' | 'popular';

export interface Recommendation {
  readonly rank: number;
  readonly serviceId: string;
  readonly score: number;
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

/**
 * The model's dense ids of the services in a category and/or region (names as in the landing files), for
 * filtered recommendations. Services newer than the model are not in it and cannot be recommended yet.
 */
export async function candidateServices(warehouse: Warehouse, loaded: LoadedModel, filter: { category?: string; region?: string }): Promise<Int32Array> {
  let query = warehouse.db.selectFrom('dimService as s').select('s.serviceId');
  if (filter.category !== undefined) {
    query = query.innerJoin('dimCategory as c', 'c.categoryKey', 's.categoryKey').where('c.categoryName', '=', filter.category);
  }
  if (filter.region !== undefined) {
    query = query.innerJoin('dimRegion as r', 'r.regionKey', 's.regionKey').where('r.regionName', '=', filter.region);
  }
  const ids: number[] = [];
  for (const row of await query.execute()) {
    const dense = loaded.itemIndex.get(row.serviceId);
    if (dense !== undefined) ids.push(dense);
  }
  return Int32Array.from(ids).sort();
}

/**
 * Top k for one known user, already-reserved services excluded, optionally only among `candidates`. A user the
 * model knows without any weighted reservation (registered only, or every booking canceled) gets the most
 * popular services instead, with basis 'popular'. Unknown users are a NotFoundError (documented).
 */
export function recommendForUser(
  loaded: LoadedModel,
  userId: string,
  k: number,
  candidates?: Int32Array,
  options: { excludeSeen?: boolean } = {},
): { basis: RecommendationBasis; recommendations: Recommendation[] } {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k must be a positive integer, got ${k}`);
  const dense = loaded.userIndex.get(userId);
  if (dense === undefined) {
    throw new NotFoundError(`user '${userId}' is not in the model trained ${loaded.manifest.trainedAt}: users get personal recommendations after their first reservations are ingested and the model is retrained`);
  }
  const basis = hasHistory(loaded, dense) ? 'model' : 'popular';
  const model = basis === 'model' ? loaded.model : loaded.fallback;
  const exclude = options.excludeSeen === false ? {} : { exclude: loaded.seen };
  const top = model.recommend(Int32Array.of(dense), { k: Math.min(k, loaded.itemIds.length), ...exclude, ...(candidates ? { candidates } : {}) });
  return { basis, recommendations: toRecommendations(loaded, top.ids, top.scores, 0, top.k) };
}

function hasHistory(loaded: LoadedModel, user: number): boolean {
  return user < loaded.seen.rows && loaded.seen.indptr[user + 1]! > loaded.seen.indptr[user]!;
}

function toRecommendations(loaded: LoadedModel, ids: Int32Array, scores: Float32Array, offset: number, k: number): Recommendation[] {
  const out: Recommendation[] = [];
  for (let r = 0; r < k; r++) {
    const item = ids[offset + r]!;
    if (item < 0) break;
    out.push({ rank: r + 1, serviceId: loaded.itemIds[item]!, score: scores[offset + r]! });
  }
  return out;
}

/**
 * Writes `user_id,item_id,rank,score` for every user in the model to `out` (popular services, scored by their
 * number of users, for users without reservations in the model's data), in batches, so memory stays at
 * the model plus a few batches whatever the number of users. With more than one thread, a worker scores
 * every other batch from the same model in shared memory while this thread scores the rest. Returns the
 * number of rows written.
 */
export async function writeAllRecommendations(loaded: LoadedModel, k: number, out: Writable, options: { batchSize?: number; threads?: number } = {}): Promise<number> {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k must be a positive integer, got ${k}`);
  const batchSize = options.batchSize ?? 1024;
  const kk = Math.min(k, loaded.itemIds.length);
  const batches = Math.ceil(loaded.userIds.length / batchSize);
  const threads = Math.min(options.threads ?? availableParallelism(), 2, batches);
  const helper = threads > 1 ? startRecommendWorker(loaded, kk) : undefined;
  let rows = 0;
  // Users without reservations in the model's data all get the same popular list (they have nothing to exclude).
  let popular: TopK | undefined;
  const write = (text: string): Promise<void> | undefined => (out.write(text) ? undefined : new Promise((resolve) => out.once('drain', resolve)));
  try {
    await write('user_id,item_id,rank,score\n');
    // The worker takes the odd batches, all requested up front; this thread scores the even ones meanwhile.
    const remote = new Map<number, Promise<TopK>>();
    if (helper) for (let b = 1; b < batches; b += 2) remote.set(b, helper.request(b * batchSize, Math.min(batchSize, loaded.userIds.length - b * batchSize)));
    for (let b = 0; b < batches; b++) {
      const start = b * batchSize;
      const count = Math.min(batchSize, loaded.userIds.length - start);
      const top = remote.get(b) ? await remote.get(b)! : loaded.model.recommend(userRange(start, count), { k: kk, exclude: loaded.seen });
      const lines: string[] = [];
      for (let q = 0; q < count; q++) {
        const ranked = hasHistory(loaded, start + q) ? top : (popular ??= loaded.fallback.recommend(Int32Array.of(start + q), { k: kk }));
        const at = ranked === top ? q * top.k : 0;
        for (const r of toRecommendations(loaded, ranked.ids, ranked.scores, at, ranked.k)) {
          lines.push(csvLine([loaded.userIds[start + q]!, r.serviceId, r.rank, Number(r.score.toPrecision(6))]));
          rows++;
        }
      }
      if (lines.length > 0) await write(`${lines.join('\n')}\n`);
    }
  } finally {
    await helper?.close();
  }
  return rows;
}

function userRange(start: number, count: number): Int32Array {
  const users = new Int32Array(count);
  for (let i = 0; i < count; i++) users[i] = start + i;
  return users;
}

/** A worker thread holding the same model (decoded from the shared bytes) and answering batches in order. */
function startRecommendWorker(loaded: LoadedModel, k: number): { request(start: number, count: number): Promise<TopK>; close(): Promise<void> } {
  const worker = startWorker(import.meta.url, 'recommend-worker', { workerData: { modelBytes: loaded.modelBytes, seen: loaded.seen, k } });
  const waiting: { resolve: (top: TopK) => void; reject: (error: Error) => void }[] = [];
  const failAll = (error: Error): void => {
    for (const w of waiting.splice(0)) w.reject(error);
  };
  worker.on('message', (m: { ids: Int32Array; scores: Float32Array; k: number } | { error: string }) => {
    const next = waiting.shift();
    if (!next) return;
    if ('error' in m) next.reject(new Error(`recommendation worker: ${m.error}`));
    else next.resolve(m);
  });
  worker.on('error', failAll);
  worker.on('exit', (code) => failAll(new Error(`recommendation worker stopped (exit ${code})`)));
  return {
    request(start, count) {
      return new Promise<TopK>((resolve, reject) => {
        waiting.push({ resolve, reject });
        worker.postMessage({ start, count });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

/** Where a model's files are, and for a registered version the sizes and digests they must have. */
export interface ModelLocation {
  readonly prefix: string;
  readonly digests?: ArtifactDigests;
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
  const run = await warehouse.db.selectFrom('trackRun').select('artifactPrefix').where('runId', '=', v.runId).executeTakeFirst();
  if (!run?.artifactPrefix) throw new NotFoundError(`model ${name} version ${version} (run ${v.runId}) has no stored artifacts`);
  return { prefix: run.artifactPrefix, digests: await new RunTracker(warehouse).recordedArtifacts(v.runId) };
}
