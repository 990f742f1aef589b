/**
 * Ranking metrics for one user, as pure functions of the relevant (held-out) items R and the ranked list
 * r_1..r_k a model returned. Relevance is binary: rel_i = 1 when r_i ∈ R. Ranked ids are distinct; -1 pads a short
 * list and is never relevant; entries past k are ignored. An empty R gives 0 (such users are not evaluated).
 *
 * They follow the protocol of the shared data README (top K, seen items excluded upstream, a user without
 * recommendations is a miss because an all -1 list scores 0, NDCG's ideal DCG over min(|R|, K) positions).
 */

/** The held-out items of one user: a Set, or an Int32Array sorted ascending (a CSR row, looked up by binary search). */
export type Relevant = ReadonlySet<number> | Int32Array;

/** One user's value of a ranking metric at cut-off k. */
export type RankingMetric = (relevant: Relevant, ranked: Int32Array, k: number) => number;

/** hits@k = Σ_{i ≤ k} rel_i */
export function hitsAtK(relevant: Relevant, ranked: Int32Array, k: number): number {
  const end = Math.min(k, ranked.length);
  let hits = 0;
  for (let i = 0; i < end; i++) if (isRelevant(relevant, ranked[i]!)) hits++;
  return hits;
}

/** precision@k = hits@k / k (a list shorter than k is not rewarded for being short). */
export const precisionAtK: RankingMetric = (relevant, ranked, k) => (sizeOf(relevant) === 0 ? 0 : hitsAtK(relevant, ranked, k) / k);

/**
 * recall@k = hits@k / |R|, averaged per user. Not capped at min(|R|, k): a user with 16 held-out items reaches at
 * most 10/16 at k = 10. This is the recall of the shared data README's table: its popularity row (recall 0.046,
 * NDCG 0.0613) comes out as 0.0463 and 0.0614 with these functions, whereas hits / min(|R|, k) would give 0.064.
 */
export const recallAtK: RankingMetric = (relevant, ranked, k) => {
  const size = sizeOf(relevant);
  return size === 0 ? 0 : hitsAtK(relevant, ranked, k) / size;
};

/** hitRate@k = 1 if hits@k ≥ 1 else 0 (averaged over users: the share of users with at least one hit). */
export const hitRateAtK: RankingMetric = (relevant, ranked, k) => (sizeOf(relevant) > 0 && hitsAtK(relevant, ranked, k) > 0 ? 1 : 0);

/**
 * NDCG@k = DCG@k / IDCG@k with binary gains and a log2 discount:
 *   DCG@k  = Σ_{i=1..k} rel_i / log2(i + 1)
 *   IDCG@k = Σ_{i=1..min(|R|, k)} 1 / log2(i + 1)      (all relevant items ranked first)
 * Järvelin & Kekäläinen 2002; the ideal over min(|R|, k) positions is the README's (and implicit's) convention.
 */
export const ndcgAtK: RankingMetric = (relevant, ranked, k) => {
  const size = sizeOf(relevant);
  if (size === 0) return 0;
  const end = Math.min(k, ranked.length);
  let dcg = 0;
  for (let i = 0; i < end; i++) if (isRelevant(relevant, ranked[i]!)) dcg += 1 / Math.log2(i + 2);
  let idcg = 0;
  const ideal = Math.min(size, k);
  for (let i = 0; i < ideal; i++) idcg += 1 / Math.log2(i + 2);
  return dcg / idcg;
};

/**
 * AP@k = Σ_{i=1..k} P@i · rel_i / min(|R|, k), with P@i = hits@i / i; MAP@k is its mean over users.
 * The min(|R|, k) denominator (as in implicit) makes a perfect list score 1 even when |R| > k.
 */
export const averagePrecisionAtK: RankingMetric = (relevant, ranked, k) => {
  const size = sizeOf(relevant);
  if (size === 0) return 0;
  const end = Math.min(k, ranked.length);
  let hits = 0;
  let sum = 0;
  for (let i = 0; i < end; i++) {
    if (!isRelevant(relevant, ranked[i]!)) continue;
    hits++;
    sum += hits / (i + 1);
  }
  return sum / Math.min(size, k);
};

/**
 * Catalogue coverage = |{distinct ids recommended to any user}| / items. Computed over all users' lists at once
 * (`recommended` is every list concatenated; -1 padding ignored). Higher means the model uses more of the catalogue.
 */
export function catalogueCoverage(recommended: Int32Array, items: number): number {
  if (items <= 0) return 0;
  const seen = new Uint8Array(items);
  let distinct = 0;
  for (const id of recommended) {
    if (id < 0 || id >= items || seen[id] === 1) continue;
    seen[id] = 1;
    distinct++;
  }
  return distinct / items;
}

/**
 * Novelty = mean over every recommended slot of −log2 p(i), with p(i) = c(i) / |U| the share of training users who
 * interacted with item i (self-information, Zhou et al., PNAS 2010). An item no training user has counts as c = 1,
 * capping its novelty at log2 |U|. `recommended` is every list concatenated (-1 padding ignored); `itemUsers[i]` = c(i).
 */
export function novelty(recommended: Int32Array, itemUsers: Int32Array, trainUsers: number): number {
  if (trainUsers <= 0) return 0;
  let sum = 0;
  let count = 0;
  for (const id of recommended) {
    if (id < 0 || id >= itemUsers.length) continue;
    sum -= Math.log2(Math.max(itemUsers[id]!, 1) / trainUsers);
    count++;
  }
  return count === 0 ? 0 : sum / count;
}

function sizeOf(relevant: Relevant): number {
  return relevant instanceof Int32Array ? relevant.length : relevant.size;
}

function isRelevant(relevant: Relevant, id: number): boolean {
  if (id < 0) return false;
  if (!(relevant instanceof Int32Array)) return relevant.has(id);
  let lo = 0;
  let hi = relevant.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = relevant[mid]!;
    if (v === id) return true;
    if (v < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}
