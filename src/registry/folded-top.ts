import { allocateTopK, csrRow, type FoldInInteractions, type Recommender, type RecommendOptions, type TopK } from '../models/index.ts';
import type { LoadedModel } from './loaded-model.ts';
import type { RecommendationBasis } from './recommend-for-user.ts';

/**
 * Top k from a history of interactions: the model's fold-in where it has the capability
 * (`Recommender.recommendFolded`: the history's items excluded, basis 'model'), else the most popular services
 * without the history's items (basis 'popular'). What a new user's reservations give them (the fold-in route, a
 * user who reserved after training), and a known user's trained row plus their newer reservations.
 */
export function foldedTop(loaded: LoadedModel, history: FoldInInteractions, k: number, candidates?: Int32Array): { basis: RecommendationBasis; top: TopK } {
  const kk = Math.min(k, loaded.itemIds.length);
  const options = { k: kk, ...(candidates ? { candidates } : {}) };
  if (history.items.length > 0 && loaded.model.recommendFolded) return { basis: 'model', top: loaded.model.recommendFolded(history, options) };
  return { basis: 'popular', top: recommendWithout(loaded.fallback, 0, options, history.items) };
}

/**
 * Row `user`'s top k of `model` without the `drop` items, refilled to k from the ranks below: the model is asked
 * for k + |drop| and the dropped ids are taken out (for models that cannot exclude an arbitrary set of items).
 */
export function recommendWithout(model: Recommender, user: number, options: RecommendOptions, drop: Int32Array): TopK {
  const wide = model.recommend(Int32Array.of(user), { ...options, k: options.k + drop.length });
  if (drop.length === 0) return wide;
  const dropped = new Set(drop);
  const out = allocateTopK(1, Math.min(options.k, wide.k));
  let n = 0;
  for (let r = 0; r < wide.k && n < out.k; r++) {
    const id = wide.ids[r]!;
    if (id < 0) break;
    if (dropped.has(id)) continue;
    out.ids[n] = id;
    out.scores[n] = wide.scores[r]!;
    n++;
  }
  return out;
}

/** A known user's trained interactions (their row of the model's data) with `recent` ones added. */
export function withTrainedRow(loaded: LoadedModel, user: number, recent: FoldInInteractions): FoldInInteractions {
  const row = user < loaded.seen.rows ? csrRow(loaded.seen, user) : { indices: new Int32Array(0), data: new Float32Array(0) };
  const sums = new Map<number, number>();
  for (let a = 0; a < row.indices.length; a++) sums.set(row.indices[a]!, row.data[a]!);
  for (let a = 0; a < recent.items.length; a++) sums.set(recent.items[a]!, (sums.get(recent.items[a]!) ?? 0) + recent.values[a]!);
  const items = Int32Array.from(sums.keys()).sort();
  return { items, values: Float32Array.from(items, (i) => sums.get(i)!) };
}
