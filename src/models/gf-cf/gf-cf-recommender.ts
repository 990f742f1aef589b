import { ValidationError } from '../../shared/index.ts';
import {
  allocateTopK,
  checkArtifactHeader,
  checkIds,
  csrRow,
  foldInRow,
  historyArtifactParts,
  randomizedSvd,
  readHistory,
  selectTopK,
  topKWidth,
  validateCsr,
  type CsrMatrix,
  type FitOptions,
  type FitReport,
  type FoldInInteractions,
  type ModelArtifact,
  type RecommendOptions,
  type Recommender,
  type TopK,
} from '../core/index.ts';
import { topKByUserBlocks } from '../core/block-ranking.ts';
import { buildFilters, filterInput, FilterScorer, normalizeBothSides, type GfCfFilters } from './gf-cf-filters.ts';
import { resolveGfCfParams, type GfCfParams } from './gf-cf-params.ts';
import { USER_BLOCK } from './low-pass-block.ts';

const ARTIFACT_VERSION = 1;

/**
 * GF-CF (Shen et al. 2021): the normalised item-item linear filter plus α times the ideal low-pass filter on the
 * top-k right singular vectors of the normalised interaction matrix (see gf-cf-filters.ts). Fitting is one
 * randomized SVD (models/core/randomized-svd.ts), on the calling thread (`threads` is not used); there is nothing to
 * learn by iteration.
 *
 * A user's scores are their row through the filters, so a new user folds in exactly as a training user with the
 * same history is scored. `similarItems(i)` is the same filter applied to the one-item history {i}: the items
 * GF-CF would recommend to someone who has only i (linear filter plus low-pass, as for users).
 *
 * The model keeps the training matrix as each user's history (recommend receives only ids) and V_k; the
 * artifact holds both, the normalisations are recomputed on load.
 */
export class GfCfRecommender implements Recommender {
  readonly kind = 'gf-cf' as const;
  /** The settings; a default rank above what the fitted matrix has is lowered to min(users, items) by `fit`. */
  params: GfCfParams;
  /** The caller chose the rank (not the default), so `fit` holds it to the data instead of lowering it. */
  readonly #rankAsked: boolean;
  #history: CsrMatrix | undefined;
  #vectors: Float32Array | undefined;
  #filters: GfCfFilters | undefined;
  #scorer: FilterScorer | undefined;

  constructor(params: Partial<GfCfParams> = {}) {
    this.params = resolveGfCfParams(params);
    this.#rankAsked = params.rank !== undefined;
  }

  /**
   * Fits to a users × items matrix; refuses a rank asked for above min(users, items) before any work (the default
   * rank is lowered to it instead, so a small catalogue trains with the defaults).
   */
  async fit(matrix: CsrMatrix, options: FitOptions = {}): Promise<FitReport> {
    options.signal?.throwIfAborted();
    const started = performance.now();
    validateCsr(matrix);
    const bound = Math.min(matrix.rows, matrix.cols);
    if (this.params.rank > bound && !this.#rankAsked) this.params = { ...this.params, rank: bound };
    const { rank, powerIterations } = this.params;
    if (rank > bound) {
      throw new ValidationError(
        `GF-CF rank ${rank} is above min(users, items) = min(${matrix.rows}, ${matrix.cols}) = ${bound}, the most singular vectors the matrix has; choose rank ≤ ${bound}`,
      );
    }
    const input = filterInput(matrix, this.params.values);
    const { normalized } = normalizeBothSides(input);
    const svd = await randomizedSvd(normalized, { rank, powerIterations, seed: options.seed ?? 0, ...(options.signal ? { signal: options.signal } : {}) });
    this.#adopt(matrix, Float32Array.from(svd.rightVectors));
    const seconds = (performance.now() - started) / 1000;
    options.onEpoch?.({ epoch: 1, seconds });
    return { epochs: 1, seconds, stoppedEarly: false };
  }

  recommend(users: Int32Array, options: RecommendOptions): TopK {
    const { history } = this.#fitted();
    checkIds(users, history.rows, 'user');
    return this.#rank(history, users, options);
  }

  /** Fold-in: the history through the same filters as a training user's row, its items excluded. */
  recommendFolded(interactions: FoldInInteractions, options: { k: number; candidates?: Int32Array }): TopK {
    const row = foldInRow(interactions, this.#fitted().history.cols);
    return this.#rank(row, Int32Array.of(0), { k: options.k, exclude: row, ...(options.candidates ? { candidates: options.candidates } : {}) });
  }

  /** Per query item i, the best other items for the one-item history {i} (both filters; see the class comment). */
  similarItems(items: Int32Array, requested: number): TopK {
    const { history, scorer } = this.#fitted();
    const k = topKWidth(requested, history.cols - 1, 'GfCfRecommender');
    checkIds(items, history.cols, 'item');
    const out = allocateTopK(items.length, k);
    if (k === 0) return out;
    const scores = new Float32Array(history.cols);
    const one = Float32Array.of(1);
    for (let q = 0; q < items.length; q++) {
      scorer.scoreBlock(1, () => ({ indices: items.subarray(q, q + 1), data: one }), scores);
      scores[items[q]!] = -Infinity;
      selectTopK(scores, k, out.ids, out.scores, q * k);
    }
    return out;
  }

  /** Top k of rows `users` of `rows` (interaction histories), their `exclude` rows left out. */
  #rank(rows: CsrMatrix, users: Int32Array, options: RecommendOptions): TopK {
    const { scorer } = this.#fitted();
    return topKByUserBlocks({
      users,
      items: rows.cols,
      options,
      blockUsers: USER_BLOCK,
      where: 'GfCfRecommender',
      scoreBlock: (q0, count, block) => scorer.scoreBlock(count, (b) => csrRow(rows, users[q0 + b]!), block),
    });
  }

  /**
   * Header `{ kind: 'gf-cf', version: 1, params, shapes: { history: [users, items], vectors: [items, rank] } }`;
   * buffers: the history CSR (`historyIndptr`, `historyIndices`, `historyValues`) and V_k (`vectors`).
   */
  toArtifact(): ModelArtifact {
    const { history, vectors } = this.#fitted();
    const h = historyArtifactParts(history);
    return {
      header: {
        kind: this.kind,
        version: ARTIFACT_VERSION,
        params: { ...this.params },
        shapes: { history: h.shape, vectors: [history.cols, this.params.rank] },
      },
      buffers: { ...h.buffers, vectors },
    };
  }

  /** Rebuilds a fitted model; throws a ValidationError naming what is inconsistent. */
  static fromArtifact(artifact: ModelArtifact): GfCfRecommender {
    const where = 'GfCfRecommender.fromArtifact';
    checkArtifactHeader(artifact, { kind: 'gf-cf', version: ARTIFACT_VERSION, where });
    const model = new GfCfRecommender(artifact.header.params as Partial<GfCfParams>);
    const history = readHistory(artifact, where);
    const { vectors } = artifact.buffers;
    if (!(vectors instanceof Float32Array)) throw new ValidationError(`${where}: the vectors buffer is missing or not float32`);
    if (vectors.length !== history.cols * model.params.rank) {
      throw new ValidationError(`${where}: vectors has ${vectors.length} values, expected items × rank = ${history.cols} × ${model.params.rank}`);
    }
    model.#adopt(history, vectors);
    return model;
  }

  #adopt(history: CsrMatrix, vectors: Float32Array): void {
    const { rank, alpha, values } = this.params;
    this.#history = history;
    this.#vectors = vectors;
    this.#filters = buildFilters({ input: filterInput(history, values), vectors, rank, alpha, values });
    this.#scorer = new FilterScorer(this.#filters);
  }

  #fitted(): { history: CsrMatrix; vectors: Float32Array; scorer: FilterScorer } {
    if (!this.#history || !this.#vectors || !this.#scorer) throw new ValidationError('GfCfRecommender is not fitted: call fit() or fromArtifact() first');
    return { history: this.#history, vectors: this.#vectors, scorer: this.#scorer };
  }
}
