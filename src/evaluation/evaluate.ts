import { ValidationError } from '../shared/index.ts';
import { columnCounts, validateCsr, type CsrMatrix, type Recommender } from '../models/index.ts';
import { averagePrecisionAtK, catalogueCoverage, hitRateAtK, ndcgAtK, novelty, precisionAtK, recallAtK } from './metrics.ts';

/** Per-user metrics are means over test users; coverage and novelty are over all recommended lists together. */
export type MetricName = 'precision' | 'recall' | 'ndcg' | 'map' | 'hitRate' | 'coverage' | 'novelty';
export const METRIC_NAMES: readonly MetricName[] = ['precision', 'recall', 'ndcg', 'map', 'hitRate', 'coverage', 'novelty'];

export type MetricValues = Record<MetricName, number>;
/** The metrics plus the number of test users they average over. */
export type RankingReport = MetricValues & { readonly users: number };

export interface RankingMetricsOptions {
  /** Cut-off: length of each recommended list. Default 10, as in the shared data README. */
  readonly k?: number;
  /** Users per `recommend` call. Default 1024. */
  readonly batchSize?: number;
}

const PER_USER = [
  ['precision', precisionAtK],
  ['recall', recallAtK],
  ['ndcg', ndcgAtK],
  ['map', averagePrecisionAtK],
  ['hitRate', hitRateAtK],
] as const;

/**
 * Offline evaluation through the Recommender interface only [implicit `ranking_metrics_at_k`]: for every user with
 * at least one test item, ask the model for its top k with the user's training items excluded, and score the list
 * against the user's test items. All metrics in one pass over users, in batches.
 *
 * Protocol of the shared data README: a user the model returns nothing for (all -1) scores 0 on every per-user
 * metric and still counts in the mean; NDCG's ideal DCG covers min(|test items|, k) positions. Test rows are the
 * relevant sets as given (a held-out item the user also has in train cannot be hit; `temporalSplit` drops those).
 */
export function rankingMetricsAtK(model: Recommender, train: CsrMatrix, test: CsrMatrix, options: RankingMetricsOptions = {}): RankingReport {
  const { k = 10, batchSize = 1024 } = options;
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`rankingMetricsAtK: k must be a positive integer, got ${k}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValidationError(`rankingMetricsAtK: batchSize must be a positive integer, got ${batchSize}`);
  validateCsr(train);
  validateCsr(test);
  if (train.cols !== test.cols) throw new ValidationError(`rankingMetricsAtK: train has ${train.cols} items but test has ${test.cols}`);
  const items = train.cols;

  let evaluated = 0;
  for (let u = 0; u < test.rows; u++) if (test.indptr[u + 1]! > test.indptr[u]!) evaluated++;
  const testUsers = new Int32Array(evaluated);
  for (let u = 0, n = 0; u < test.rows; u++) if (test.indptr[u + 1]! > test.indptr[u]!) testUsers[n++] = u;

  const sums = { precision: 0, recall: 0, ndcg: 0, map: 0, hitRate: 0 };
  const allRecommended = new Int32Array(evaluated * k).fill(-1);
  for (let from = 0; from < evaluated; from += batchSize) {
    const batch = testUsers.subarray(from, Math.min(from + batchSize, evaluated));
    const top = model.recommend(batch, { k, exclude: train });
    if (!Number.isInteger(top.k) || top.k < 0 || top.ids.length !== batch.length * top.k) {
      throw new ValidationError(`rankingMetricsAtK: ${model.kind} returned ${top.ids.length} ids for ${batch.length} users at k = ${top.k}`);
    }
    const width = Math.min(top.k, k);
    for (let q = 0; q < batch.length; q++) {
      const u = batch[q]!;
      const ranked = top.ids.subarray(q * top.k, q * top.k + width);
      for (const id of ranked) {
        if (id < -1 || id >= items) throw new ValidationError(`rankingMetricsAtK: ${model.kind} recommended item ${id}, outside [0, ${items})`);
      }
      const relevant = test.indices.subarray(test.indptr[u]!, test.indptr[u + 1]!);
      for (const [name, metric] of PER_USER) sums[name] += metric(relevant, ranked, k);
      allRecommended.set(ranked, (from + q) * k);
    }
  }

  let trainUsers = 0;
  for (let u = 0; u < train.rows; u++) if (train.indptr[u + 1]! > train.indptr[u]!) trainUsers++;
  const mean = (sum: number) => (evaluated === 0 ? 0 : sum / evaluated);
  return {
    users: evaluated,
    precision: mean(sums.precision),
    recall: mean(sums.recall),
    ndcg: mean(sums.ndcg),
    map: mean(sums.map),
    hitRate: mean(sums.hitRate),
    coverage: catalogueCoverage(allRecommended, items),
    novelty: novelty(allRecommended, columnCounts(train), trainUsers),
  };
}
