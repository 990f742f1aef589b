import { ValidationError } from '../../shared/index.ts';
import {
  NeighbourRecommender,
  normalizeRows,
  readNeighbourArtifact,
  transpose,
  validateCsr,
  type CsrMatrix,
  type FitOptions,
  type FitReport,
  type ModelArtifact,
} from '../core/index.ts';
import { bm25Weight } from './bm25-weight.ts';
import { itemKnnDefaults, type ItemKnnParams, type ItemKnnWeighting } from './item-knn-params.ts';
import { itemNeighbours } from './item-neighbours.ts';
import { tfidfWeight } from './tfidf-weight.ts';

const WEIGHTINGS: readonly ItemKnnWeighting[] = ['cosine', 'bm25', 'tfidf', 'none'];

/**
 * Item-based k-nearest-neighbours [implicit `ItemItemRecommender`]: fit keeps each item's N most similar items
 * (see `itemNeighbours`) over the weighted item-user matrix; a user's score for item i is
 *
 *   score(u, i) = Σ_{j ∈ items(u)} x(u, j) · sim(j, i)
 *
 * with x the training value (the scoring, fold-in and artifact of every neighbour model: NeighbourRecommender).
 * The artifact holds the neighbour CSR and the user-item CSR.
 */
export class ItemKnnRecommender extends NeighbourRecommender<ItemKnnParams> {
  readonly kind = 'item-knn' as const;

  constructor(params: Partial<ItemKnnParams> = {}) {
    const merged: ItemKnnParams = {
      neighbours: params.neighbours ?? itemKnnDefaults.neighbours,
      weighting: params.weighting ?? itemKnnDefaults.weighting,
      k1: params.k1 ?? itemKnnDefaults.k1,
      b: params.b ?? itemKnnDefaults.b,
    };
    if (!Number.isInteger(merged.neighbours) || merged.neighbours < 1) {
      throw new ValidationError(`ItemKnnRecommender: neighbours must be a positive integer, got ${merged.neighbours}`);
    }
    if (!WEIGHTINGS.includes(merged.weighting)) {
      throw new ValidationError(`ItemKnnRecommender: weighting must be one of ${WEIGHTINGS.join(', ')}, got ${String(merged.weighting)}`);
    }
    if (!(merged.k1 > 0)) throw new ValidationError(`ItemKnnRecommender: k1 must be positive, got ${merged.k1}`);
    if (!(merged.b >= 0 && merged.b <= 1)) throw new ValidationError(`ItemKnnRecommender: b must be in [0, 1], got ${merged.b}`);
    super(merged, 'ItemKnnRecommender');
  }

  async fit(matrix: CsrMatrix, options: FitOptions = {}): Promise<FitReport> {
    options.signal?.throwIfAborted();
    const started = performance.now();
    validateCsr(matrix);
    const itemUsers = transpose(matrix);
    const weighted = this.#weigh(itemUsers);
    this.adopt(itemNeighbours(weighted, { neighbours: this.params.neighbours, ...(options.signal ? { signal: options.signal } : {}) }), matrix);
    const seconds = (performance.now() - started) / 1000;
    options.onEpoch?.({ epoch: 1, seconds });
    return { epochs: 1, seconds, stoppedEarly: false };
  }

  /** Rebuilds a fitted model, validating both CSR matrices; throws a ValidationError on any mismatch. */
  static fromArtifact(artifact: ModelArtifact): ItemKnnRecommender {
    const { params: p, neighbours, history } = readNeighbourArtifact(artifact, { kind: 'item-knn', where: 'ItemKnnRecommender.fromArtifact' });
    const model = new ItemKnnRecommender({
      neighbours: p.neighbours as number,
      weighting: p.weighting as ItemKnnWeighting,
      k1: p.k1 as number,
      b: p.b as number,
    });
    model.adopt(neighbours, history);
    return model;
  }

  #weigh(itemUsers: CsrMatrix): CsrMatrix {
    switch (this.params.weighting) {
      case 'cosine':
        return normalizeRows(itemUsers);
      case 'tfidf':
        return normalizeRows(tfidfWeight(itemUsers));
      case 'bm25':
        return bm25Weight(itemUsers, { k1: this.params.k1, b: this.params.b });
      case 'none':
        return itemUsers;
    }
  }
}
