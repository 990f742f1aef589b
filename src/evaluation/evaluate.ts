import { ValidationError } from '../shared/index.ts';
import { artifactBytes, columnCounts, scoreBatches, startRecommendHelper, validateCsr, type CsrMatrix, type Recommender, type TopK } from '../models/index.ts';
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
  return onThisThread(new RankingRun(model.kind, train, test, options), model, train);
}

function onThisThread(run: RankingRun, model: Recommender, train: CsrMatrix): RankingReport {
  for (const [from, batch] of run.batches()) run.add(from, batch, model.recommend(batch, { k: run.k, exclude: train }));
  return run.report();
}

/** Evaluations smaller than this many user × item scores stay on one thread: a helper's start costs more. */
const PARALLEL_SCORES = 2e8;
/** A helper copies the model; larger models (EASE's dense item table) are scored on one thread. */
const MAX_HELPER_MODEL_BYTES = 256 * 2 ** 20;

/**
 * {@link rankingMetricsAtK} on two threads when the evaluation is large (tens of thousands of users against tens
 * of thousands of items): a worker thread holding a copy of the model shares the batches with this thread as they
 * go ({@link scoreBatches}), and the sums are added in batch order, so the report is the same as on one thread.
 * `threads` 1, a small evaluation or a large model stay on this thread.
 */
export async function rankingMetricsAtKParallel(
  model: Recommender,
  train: CsrMatrix,
  test: CsrMatrix,
  options: RankingMetricsOptions & {
    readonly threads: number;
    /** User × item scores from which a helper thread is used (default 2·10⁸, where it starts to pay). */
    readonly parallelFrom?: number;
  },
): Promise<RankingReport> {
  const run = new RankingRun(model.kind, train, test, options);
  const batches = [...run.batches()];
  if (options.threads < 2 || batches.length < 2 || run.users * train.cols < (options.parallelFrom ?? PARALLEL_SCORES)) return onThisThread(run, model, train);
  const artifact = model.toArtifact();
  if (artifactBytes(artifact) > MAX_HELPER_MODEL_BYTES) return onThisThread(run, model, train);
  const helper = startRecommendHelper({ model: artifact, exclude: train, k: run.k });
  try {
    // The helper and this thread share the batches as they go; the sums are added in batch order.
    const scored = scoreBatches({
      count: batches.length,
      local: (b) => model.recommend(batches[b]![1], { k: run.k, exclude: train }),
      helper: { recommend: (b) => helper.recommend(batches[b]![1]) },
    });
    for await (const [b, top] of scored) run.add(batches[b]![0], batches[b]![1], top);
    return run.report();
  } finally {
    await helper.close();
  }
}

/** One evaluation: its test users, batch by batch, and the sums the report is made of. */
class RankingRun {
  readonly k: number;
  readonly #kind: string;
  readonly #batchSize: number;
  readonly #train: CsrMatrix;
  readonly #test: CsrMatrix;
  readonly #testUsers: Int32Array;
  readonly #sums = { precision: 0, recall: 0, ndcg: 0, map: 0, hitRate: 0 };
  readonly #allRecommended: Int32Array;

  constructor(kind: string, train: CsrMatrix, test: CsrMatrix, options: RankingMetricsOptions) {
    const { k = 10, batchSize = 1024 } = options;
    if (!Number.isInteger(k) || k < 1) throw new ValidationError(`rankingMetricsAtK: k must be a positive integer, got ${k}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new ValidationError(`rankingMetricsAtK: batchSize must be a positive integer, got ${batchSize}`);
    validateCsr(train);
    validateCsr(test);
    if (train.cols !== test.cols) throw new ValidationError(`rankingMetricsAtK: train has ${train.cols} items but test has ${test.cols}`);
    this.k = k;
    this.#kind = kind;
    this.#batchSize = batchSize;
    this.#train = train;
    this.#test = test;
    let evaluated = 0;
    for (let u = 0; u < test.rows; u++) if (test.indptr[u + 1]! > test.indptr[u]!) evaluated++;
    this.#testUsers = new Int32Array(evaluated);
    for (let u = 0, n = 0; u < test.rows; u++) if (test.indptr[u + 1]! > test.indptr[u]!) this.#testUsers[n++] = u;
    this.#allRecommended = new Int32Array(evaluated * k).fill(-1);
  }

  /** Users with at least one test item. */
  get users(): number {
    return this.#testUsers.length;
  }

  /** [position of the batch's first user among the test users, the batch]. */
  *batches(): Generator<[number, Int32Array]> {
    for (let from = 0; from < this.users; from += this.#batchSize) yield [from, this.#testUsers.subarray(from, Math.min(from + this.#batchSize, this.users))];
  }

  /** Scores the lists the model gave for a batch. */
  add(from: number, batch: Int32Array, top: TopK): void {
    const { k } = this;
    const items = this.#train.cols;
    if (!Number.isInteger(top.k) || top.k < 0 || top.ids.length !== batch.length * top.k) {
      throw new ValidationError(`rankingMetricsAtK: ${this.#kind} returned ${top.ids.length} ids for ${batch.length} users at k = ${top.k}`);
    }
    const width = Math.min(top.k, k);
    for (let q = 0; q < batch.length; q++) {
      const u = batch[q]!;
      const ranked = top.ids.subarray(q * top.k, q * top.k + width);
      for (const id of ranked) {
        if (id < -1 || id >= items) throw new ValidationError(`rankingMetricsAtK: ${this.#kind} recommended item ${id}, outside [0, ${items})`);
      }
      const relevant = this.#test.indices.subarray(this.#test.indptr[u]!, this.#test.indptr[u + 1]!);
      for (const [name, metric] of PER_USER) this.#sums[name] += metric(relevant, ranked, k);
      this.#allRecommended.set(ranked, (from + q) * k);
    }
  }

  report(): RankingReport {
    const train = this.#train;
    const evaluated = this.users;
    const sums = this.#sums;
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
      coverage: catalogueCoverage(this.#allRecommended, train.cols),
      novelty: novelty(this.#allRecommended, columnCounts(train), trainUsers),
    };
  }
}
