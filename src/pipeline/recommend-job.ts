import type { Writable } from 'node:stream';
import { recommenderFromArtifact } from '../models/catalog.ts';
import { decodeArtifact, type CsrMatrix, type Recommender } from '../models/core/index.ts';
import { ModelBundleStore, type ModelManifest } from '../registry/index.ts';
import { csvLine } from '../shared/csv-line.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import type { ObjectStore } from '../storage/index.ts';

/** A trained model ready to answer for external ids. */
export interface LoadedModel {
  readonly manifest: ModelManifest;
  readonly model: Recommender;
  readonly userIds: readonly string[];
  readonly itemIds: readonly string[];
  readonly userIndex: ReadonlyMap<string, number>;
  readonly seen: CsrMatrix;
}

export interface Recommendation {
  readonly rank: number;
  readonly serviceId: string;
  readonly score: number;
}

/** Loads the newest trained model (or the one at `prefix`) from the bucket; a corrupted artifact is a clear error. */
export async function loadTrainedModel(store: ObjectStore, prefix?: string): Promise<LoadedModel> {
  const bundle = await new ModelBundleStore(store).load(prefix);
  const model = recommenderFromArtifact(decodeArtifact(bundle.model));
  return {
    manifest: bundle.manifest,
    model,
    userIds: bundle.userIds,
    itemIds: bundle.itemIds,
    userIndex: new Map(bundle.userIds.map((id, i) => [id, i])),
    seen: bundle.seen,
  };
}

/** Top k for one known user, already-reserved services excluded. Unknown users are a NotFoundError (documented). */
export function recommendForUser(loaded: LoadedModel, userId: string, k: number): Recommendation[] {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k must be a positive integer, got ${k}`);
  const dense = loaded.userIndex.get(userId);
  if (dense === undefined) {
    throw new NotFoundError(`user '${userId}' is not in the model trained ${loaded.manifest.trainedAt}: users get personal recommendations after their first reservations are ingested and the model is retrained`);
  }
  const top = loaded.model.recommend(Int32Array.of(dense), { k: Math.min(k, loaded.itemIds.length), exclude: loaded.seen });
  return toRecommendations(loaded, top.ids, top.scores, 0, top.k);
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
 * Writes `user_id,item_id,rank,score` for every user in the model to `out`, in batches, so memory stays at
 * the model plus one batch whatever the number of users. Returns the number of rows written.
 */
export async function writeAllRecommendations(loaded: LoadedModel, k: number, out: Writable, batchSize = 1024): Promise<number> {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k must be a positive integer, got ${k}`);
  const kk = Math.min(k, loaded.itemIds.length);
  let rows = 0;
  const write = (text: string): Promise<void> | undefined => (out.write(text) ? undefined : new Promise((resolve) => out.once('drain', resolve)));
  await write('user_id,item_id,rank,score\n');
  for (let start = 0; start < loaded.userIds.length; start += batchSize) {
    const users = new Int32Array(Math.min(batchSize, loaded.userIds.length - start));
    for (let i = 0; i < users.length; i++) users[i] = start + i;
    const top = loaded.model.recommend(users, { k: kk, exclude: loaded.seen });
    const lines: string[] = [];
    for (let q = 0; q < users.length; q++) {
      for (const r of toRecommendations(loaded, top.ids, top.scores, q * top.k, top.k)) {
        lines.push(csvLine([loaded.userIds[start + q]!, r.serviceId, r.rank, Number(r.score.toPrecision(6))]));
        rows++;
      }
    }
    if (lines.length > 0) await write(`${lines.join('\n')}\n`);
  }
  return rows;
}
