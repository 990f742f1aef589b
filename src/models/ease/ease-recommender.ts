import { ModelFitError, ValidationError } from '../../shared/index.ts';
import {
  allocateTopK,
  checkArtifactHeader,
  checkIds,
  csrRow,
  foldInRow,
  historyArtifactParts,
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
import { MIN_NNZ_FOR_THREADS, resolveThreads } from '../core/fit-support.ts';
import { topKByUserBlocks } from '../core/block-ranking.ts';
import { abortError } from '../core/param-checks.ts';
import { easeWeights } from './ease-weights.ts';
import { EASE_ITEM_CEILING, resolveEaseParams, type EaseParams } from './ease-params.ts';

const ARTIFACT_VERSION = 1;
/** Below this many items the inverse runs on the calling thread: starting a worker costs more than it saves. */
const MIN_ITEMS_FOR_THREADS = 1024;
/** The inverse's row bands stop paying beyond a few threads (each phase is one round trip per thread). */
const MAX_THREADS = 8;
/** Users scored together: each row of B a block's users need is read once for the whole block. */
const USER_BLOCK = 64;

/**
 * EASE (Steck 2019): a closed-form item-item linear model, score(u, ·) = x_u · B with B from `easeWeights`
 * (ridge regression of each item on all others, diagonal constrained to zero). Fit is one n × n inverse, so the
 * model is dense in the items: `fit` refuses catalogues above `maxItems` before any work.
 *
 * The model keeps the training matrix as each user's history (`recommend` receives only user ids); the
 * artifact holds B (items × items float32, n² values) and that history CSR. A new user is scored exactly as a
 * training user with the same history (fold-in).
 */
export class EaseRecommender implements Recommender {
  readonly kind = 'ease' as const;
  readonly params: EaseParams;
  #weights: Float32Array | undefined;
  #items = 0;
  #history: CsrMatrix | undefined;

  constructor(params: Partial<EaseParams> = {}) {
    this.params = resolveEaseParams(params);
  }

  async fit(matrix: CsrMatrix, options: FitOptions = {}): Promise<FitReport> {
    if (options.signal?.aborted) throw abortError('EASE fit', options.signal);
    const { maxItems, lambda } = this.params;
    if (matrix.cols > maxItems) {
      const bytes = matrix.cols * matrix.cols * 4;
      const size = bytes >= 2 ** 30 ? `${(bytes / 2 ** 30).toFixed(1)} GiB` : `${(bytes / 2 ** 20).toFixed(1)} MiB`;
      throw new ValidationError(
        `EASE is dense in the items: this catalogue has ${matrix.cols} items, above maxItems ${maxItems} ` +
          `(B alone would be ${size}, and the fit ${matrix.cols}³ flops). Use a model for large catalogues ` +
          `('gf-cf', 'rp3beta' or 'als'), or raise maxItems (at most ${EASE_ITEM_CEILING}).`,
      );
    }
    validateCsr(matrix);
    // The work is n³ whatever the non-zeros: threads are decided by the catalogue's size.
    const threads = resolveThreads(options.threads, matrix.cols >= MIN_ITEMS_FOR_THREADS ? MIN_NNZ_FOR_THREADS : 0, MAX_THREADS);
    const started = performance.now();
    const { weights } = await easeWeights(matrix, { lambda, threads, ...(options.signal ? { signal: options.signal } : {}) });
    for (let q = 0; q < weights.length; q++) {
      if (!Number.isFinite(weights[q]!))
        throw new ModelFitError(`EASE: non-finite weight at (${Math.floor(q / matrix.cols)}, ${q % matrix.cols}); use a larger lambda`);
    }
    this.#weights = weights;
    this.#items = matrix.cols;
    this.#history = matrix;
    const seconds = (performance.now() - started) / 1000;
    options.onEpoch?.({ epoch: 1, seconds });
    return { epochs: 1, seconds, stoppedEarly: false };
  }

  recommend(users: Int32Array, options: RecommendOptions): TopK {
    const { history } = this.#fitted();
    checkIds(users, history.rows, 'user');
    return this.#score(history, users, options);
  }

  /** Fold-in: the history scored as a training user's row (x · B), its items excluded. */
  recommendFolded(interactions: FoldInInteractions, options: { k: number; candidates?: Int32Array }): TopK {
    const row = foldInRow(interactions, this.#fitted().items);
    return this.#score(row, Int32Array.of(0), { k: options.k, exclude: row, ...(options.candidates ? { candidates: options.candidates } : {}) });
  }

  /**
   * x_u · B for the given rows of `history`, top k per row. Users go in blocks of {@link USER_BLOCK}: the block's
   * (item, user) pairs are sorted by item, so each needed row of B is streamed once per block and added into
   * every block user who has that item.
   */
  #score(history: CsrMatrix, users: Int32Array, options: RecommendOptions): TopK {
    const { weights, items } = this.#fitted();
    return topKByUserBlocks({
      users,
      items,
      options,
      blockUsers: USER_BLOCK,
      where: 'EaseRecommender',
      scoreBlock: (q0, count, block) => {
        block.fill(0);
        const pairs = blockPairs(history, users, q0, q0 + count);
        for (let p = 0; p < pairs.item.length; p++) {
          const i = pairs.item[p]!;
          const row = weights.subarray(i * items, (i + 1) * items);
          const target = pairs.slot[p]! * items;
          const x = pairs.value[p]!;
          for (let j = 0; j < items; j++) block[target + j] = block[target + j]! + x * row[j]!;
        }
      },
    });
  }

  /**
   * Per query item q, the items q predicts most strongly: row q of B (B_qj, the weight of q in j's score),
   * which is the list a user whose only item is q gets.
   */
  similarItems(queries: Int32Array, requested: number): TopK {
    const { weights, items } = this.#fitted();
    const k = topKWidth(requested, items - 1, 'EaseRecommender');
    checkIds(queries, items, 'item');
    const out = allocateTopK(queries.length, k);
    if (k === 0) return out;
    const scratch = new Float32Array(items);
    for (let q = 0; q < queries.length; q++) {
      const i = queries[q]!;
      scratch.set(weights.subarray(i * items, (i + 1) * items));
      scratch[i] = -Infinity;
      selectTopK(scratch, k, out.ids, out.scores, q * k);
    }
    return out;
  }

  /**
   * Header `{ kind: 'ease', version: 1, params, shapes: { weights: [items, items], history: [users, items] } }`;
   * buffers: `weights` (B, row-major float32, items² values) and the history CSR (`historyIndptr`,
   * `historyIndices`, `historyValues`).
   */
  toArtifact(): ModelArtifact {
    const { weights, items, history } = this.#fitted();
    const h = historyArtifactParts(history);
    return {
      header: { kind: this.kind, version: ARTIFACT_VERSION, params: { ...this.params }, shapes: { weights: [items, items], history: h.shape } },
      buffers: { weights, ...h.buffers },
    };
  }

  /** Rebuilds a fitted model; throws a ValidationError when the header, shapes or buffers disagree. */
  static fromArtifact(artifact: ModelArtifact): EaseRecommender {
    const where = 'EaseRecommender.fromArtifact';
    checkArtifactHeader(artifact, { kind: 'ease', version: ARTIFACT_VERSION, where });
    const { header, buffers } = artifact;
    const model = new EaseRecommender(header.params as Partial<EaseParams>);
    const shape = header.shapes.weights;
    const { weights } = buffers;
    if (!shape || shape.length !== 2 || shape[0] !== shape[1]) throw new ValidationError(`${where}: shapes.weights must be [items, items]`);
    const items = shape[0]!;
    if (!(weights instanceof Float32Array) || weights.length !== items * items) {
      throw new ValidationError(`${where}: weights must be ${items}×${items} float32 values`);
    }
    const history = readHistory(artifact, where);
    if (history.cols !== items) throw new ValidationError(`${where}: history has ${history.cols} items but weights ${items}`);
    model.#weights = weights;
    model.#items = items;
    model.#history = history;
    return model;
  }

  #fitted(): { weights: Float32Array; items: number; history: CsrMatrix } {
    if (!this.#weights || !this.#history) throw new ValidationError('EaseRecommender is not fitted: call fit() or fromArtifact() first');
    return { weights: this.#weights, items: this.#items, history: this.#history };
  }
}

/** The (item, slot, value) pairs of users[b0, b1) (slot = position in the block), sorted by item. */
function blockPairs(history: CsrMatrix, users: Int32Array, b0: number, b1: number): { item: Int32Array; slot: Int32Array; value: Float32Array } {
  let count = 0;
  for (let q = b0; q < b1; q++) count += history.indptr[users[q]! + 1]! - history.indptr[users[q]!]!;
  const order = new Int32Array(count);
  const itemOf = new Int32Array(count);
  const slotOf = new Int32Array(count);
  const valueOf = new Float32Array(count);
  let p = 0;
  for (let q = b0; q < b1; q++) {
    const row = csrRow(history, users[q]!);
    for (let a = 0; a < row.indices.length; a++, p++) {
      order[p] = p;
      itemOf[p] = row.indices[a]!;
      slotOf[p] = q - b0;
      valueOf[p] = row.data[a]!;
    }
  }
  order.sort((x, y) => itemOf[x]! - itemOf[y]! || x - y);
  return {
    item: Int32Array.from(order, (o) => itemOf[o]!),
    slot: Int32Array.from(order, (o) => slotOf[o]!),
    value: Float32Array.from(order, (o) => valueOf[o]!),
  };
}
