import { ValidationError } from '../../shared/errors.ts';
import {
  allocateTopK,
  checkK,
  knownCandidates,
  columnCounts,
  columnSums,
  csrRow,
  validateCsr,
  type CsrMatrix,
  type FitOptions,
  type FitReport,
  type ModelArtifact,
  type RecommendOptions,
  type Recommender,
  type SearchSpace,
  type TopK,
} from '../core/index.ts';

export interface PopularParams {
  /**
   * 'count': an item's score is the number of users with an interaction on it (the data README's baseline,
   * "count of positives"). 'weight': the sum of interaction values on it (repeat reservations, ratings as confidence).
   */
  readonly by: 'count' | 'weight';
}

export const popularDefaults: PopularParams = { by: 'count' };

/** Popularity has a single discrete choice to tune. */
export const popularSearchSpace: SearchSpace<PopularParams> = {
  by: { type: 'categorical', choices: ['count', 'weight'] },
};

const ARTIFACT_VERSION = 1;

/**
 * The non-personalised baseline every model must beat: one ranking of items by training popularity, served to
 * everyone minus what they already have. Items no training user touched (score 0) are never recommended.
 *
 * Room for a grouped variant (item → group, e.g. region, ranked within the group): the ranking is held as a
 * precomputed order, which such a variant would keep per group.
 */
export class PopularRecommender implements Recommender {
  readonly kind = 'popular' as const;
  readonly params: PopularParams;
  /** Score per item (length = items). */
  #scores: Float32Array | undefined;
  /** Items with a positive score, best first, ties by smaller id. */
  #order: Int32Array | undefined;

  constructor(params: Partial<PopularParams> = {}) {
    const by = params.by ?? popularDefaults.by;
    if (by !== 'count' && by !== 'weight') throw new ValidationError(`PopularRecommender: by must be 'count' or 'weight', got ${String(by)}`);
    this.params = { by };
  }

  /** Counts (or sums) per item over the user-item matrix; one pass over nnz. */
  async fit(matrix: CsrMatrix, options: FitOptions = {}): Promise<FitReport> {
    options.signal?.throwIfAborted();
    const started = performance.now();
    validateCsr(matrix);
    this.#setScores(Float32Array.from(this.params.by === 'count' ? columnCounts(matrix) : columnSums(matrix)));
    const seconds = (performance.now() - started) / 1000;
    options.onEpoch?.({ epoch: 1, seconds });
    return { epochs: 1, seconds, stoppedEarly: false };
  }

  /** The same ranking for every user, minus `exclude`'s row for that user and restricted to `candidates`. O(k + skipped) per user. */
  recommend(users: Int32Array, options: RecommendOptions): TopK {
    const { scores, order } = this.#fitted();
    const { k, exclude, candidates } = options;
    checkK(k, 'PopularRecommender');
    const out = allocateTopK(users.length, k);
    // Stamp arrays avoid clearing per user: an item is skipped when its stamp equals the current query's.
    const excludedAt = new Int32Array(scores.length).fill(-1);
    let allowed: Uint8Array | undefined;
    if (candidates) {
      allowed = new Uint8Array(scores.length);
      for (const item of knownCandidates(candidates, scores.length)) allowed[item] = 1;
    }
    for (let q = 0; q < users.length; q++) {
      if (exclude) {
        for (const item of csrRow(exclude, users[q]!).indices) if (item < scores.length) excludedAt[item] = q;
      }
      let filled = 0;
      for (let p = 0; p < order.length && filled < k; p++) {
        const item = order[p]!;
        if (excludedAt[item] === q || (allowed && allowed[item] === 0)) continue;
        out.ids[q * k + filled] = item;
        out.scores[q * k + filled] = scores[item]!;
        filled++;
      }
    }
    return out;
  }

  /** Popularity has no notion of item similarity: every query gets the popularity ranking without the query item itself. */
  similarItems(items: Int32Array, k: number): TopK {
    const { scores, order } = this.#fitted();
    checkK(k, 'PopularRecommender');
    const out = allocateTopK(items.length, k);
    for (let q = 0; q < items.length; q++) {
      let filled = 0;
      for (let p = 0; p < order.length && filled < k; p++) {
        const item = order[p]!;
        if (item === items[q]) continue;
        out.ids[q * k + filled] = item;
        out.scores[q * k + filled] = scores[item]!;
        filled++;
      }
    }
    return out;
  }

  /** Header `{ kind: 'popular', version: 1, params, shapes: { scores: [items] } }` plus the score vector. */
  toArtifact(): ModelArtifact {
    const { scores } = this.#fitted();
    return {
      header: { kind: this.kind, version: ARTIFACT_VERSION, params: { ...this.params }, shapes: { scores: [scores.length] } },
      buffers: { scores },
    };
  }

  /** Rebuilds a fitted model; throws a ValidationError when the artifact is of another kind, version or shape. */
  static fromArtifact(artifact: ModelArtifact): PopularRecommender {
    const { header, buffers } = artifact;
    if (header.kind !== 'popular') throw new ValidationError(`PopularRecommender.fromArtifact: artifact is of kind '${header.kind}'`);
    if (header.version !== ARTIFACT_VERSION) {
      throw new ValidationError(`PopularRecommender.fromArtifact: unsupported artifact version ${header.version} (expected ${ARTIFACT_VERSION})`);
    }
    const scores = buffers.scores;
    if (!(scores instanceof Float32Array)) throw new ValidationError('PopularRecommender.fromArtifact: missing Float32Array buffer "scores"');
    const shape = header.shapes.scores;
    if (!shape || shape.length !== 1 || shape[0] !== scores.length) {
      throw new ValidationError(`PopularRecommender.fromArtifact: shapes.scores ${JSON.stringify(shape)} does not match ${scores.length} scores`);
    }
    for (let i = 0; i < scores.length; i++) {
      if (!(scores[i]! >= 0 && Number.isFinite(scores[i]!))) {
        throw new ValidationError(`PopularRecommender.fromArtifact: score of item ${i} is ${scores[i]}, expected a finite non-negative number`);
      }
    }
    const model = new PopularRecommender({ by: header.params.by as PopularParams['by'] });
    model.#setScores(scores);
    return model;
  }

  #setScores(scores: Float32Array): void {
    let positive = 0;
    for (const s of scores) if (s > 0) positive++;
    const order = new Int32Array(positive);
    let n = 0;
    for (let i = 0; i < scores.length; i++) if (scores[i]! > 0) order[n++] = i;
    order.sort((a, b) => scores[b]! - scores[a]! || a - b);
    this.#scores = scores;
    this.#order = order;
  }

  #fitted(): { scores: Float32Array; order: Int32Array } {
    if (!this.#scores || !this.#order) throw new ValidationError('PopularRecommender is not fitted: call fit() or fromArtifact() first');
    return { scores: this.#scores, order: this.#order };
  }
}
