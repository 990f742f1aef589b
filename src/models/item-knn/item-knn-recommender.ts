import { ValidationError } from '../../shared/index.ts';
import {
  allocateTopK,
  candidateIds,
  checkIds,
  csrRow,
  foldInRow,
  normalizeRows,
  selectTopK,
  topKWidth,
  transpose,
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
import { bm25Weight } from './bm25-weight.ts';
import { itemKnnDefaults, type ItemKnnParams, type ItemKnnWeighting } from './item-knn-params.ts';
import { itemNeighbours } from './item-neighbours.ts';
import { tfidfWeight } from './tfidf-weight.ts';

const ARTIFACT_VERSION = 1;
const WEIGHTINGS: readonly ItemKnnWeighting[] = ['cosine', 'bm25', 'tfidf', 'none'];

/**
 * Item-based k-nearest-neighbours [implicit `ItemItemRecommender`]: fit keeps each item's N most similar items
 * (see `itemNeighbours`) over the weighted item-user matrix; a user's score for item i is
 *
 *   score(u, i) = Σ_{j ∈ items(u)} x(u, j) · sim(j, i)
 *
 * with x the training value. Only items reachable through a neighbour list are scored, so a user with no history
 * (or only isolated items) gets fewer than k results, padded with -1.
 *
 * The model keeps the training matrix as each user's history, because `recommend` receives only user ids; the
 * artifact therefore holds the neighbour CSR and the user-item CSR.
 */
export class ItemKnnRecommender implements Recommender {
  readonly kind = 'item-knn' as const;
  readonly params: ItemKnnParams;
  #neighbours: CsrMatrix | undefined;
  #history: CsrMatrix | undefined;

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
    this.params = merged;
  }

  async fit(matrix: CsrMatrix, options: FitOptions = {}): Promise<FitReport> {
    options.signal?.throwIfAborted();
    const started = performance.now();
    validateCsr(matrix);
    const itemUsers = transpose(matrix);
    const weighted = this.#weigh(itemUsers);
    this.#neighbours = itemNeighbours(weighted, { neighbours: this.params.neighbours, signal: options.signal });
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

  /**
   * Fold-in: the given history scored exactly as a training user's row (score(u, i) above), the history's
   * items excluded. Needs no refit: the neighbour lists do not depend on the new user.
   */
  recommendFolded(interactions: FoldInInteractions, options: { k: number; candidates?: Int32Array }): TopK {
    const row = foldInRow(interactions, this.#fitted().neighbours.rows);
    return this.#score(row, Int32Array.of(0), { k: options.k, exclude: row, ...(options.candidates ? { candidates: options.candidates } : {}) });
  }

  /** score(u, i) for the given rows of `history` (users' interactions), top k per row; the one scoring path. */
  #score(history: CsrMatrix, users: Int32Array, options: RecommendOptions): TopK {
    const { neighbours } = this.#fitted();
    const { exclude } = options;
    const items = neighbours.rows;
    const k = topKWidth(options.k, items, 'ItemKnnRecommender');
    const candidates = options.candidates && candidateIds(options.candidates, items);
    const out = allocateTopK(users.length, k);
    if (k === 0) return out;
    const scratch = new Float32Array(items).fill(-Infinity);
    const touched = new Int32Array(items);
    for (let q = 0; q < users.length; q++) {
      const u = users[q]!;
      let count = 0;
      const row = csrRow(history, u);
      for (let a = 0; a < row.indices.length; a++) {
        const j = row.indices[a]!;
        const x = row.data[a]!;
        for (let p = neighbours.indptr[j]!; p < neighbours.indptr[j + 1]!; p++) {
          const i = neighbours.indices[p]!;
          if (scratch[i] === -Infinity) {
            scratch[i] = 0;
            touched[count++] = i;
          }
          scratch[i] = scratch[i]! + x * neighbours.data[p]!;
        }
      }
      if (exclude) {
        for (const i of csrRow(exclude, u).indices) if (i >= 0 && i < items) scratch[i] = -Infinity;
      }
      selectTopK(scratch, k, out.ids, out.scores, q * k, candidates ?? touched.subarray(0, count));
      for (let t = 0; t < count; t++) scratch[touched[t]!] = -Infinity;
    }
    return out;
  }

  /** The query item's stored neighbours, most similar first (never the item itself); -1 padding past its list. */
  similarItems(items: Int32Array, requested: number): TopK {
    const { neighbours } = this.#fitted();
    const k = topKWidth(requested, neighbours.rows - 1, 'ItemKnnRecommender');
    checkIds(items, neighbours.rows, 'item');
    const out = allocateTopK(items.length, k);
    if (k === 0) return out;
    const scratch = new Float32Array(neighbours.rows).fill(-Infinity);
    for (let q = 0; q < items.length; q++) {
      const row = csrRow(neighbours, items[q]!);
      for (let a = 0; a < row.indices.length; a++) scratch[row.indices[a]!] = row.data[a]!;
      selectTopK(scratch, k, out.ids, out.scores, q * k, row.indices);
      for (const j of row.indices) scratch[j] = -Infinity;
    }
    return out;
  }

  /**
   * Header `{ kind: 'item-knn', version: 1, params, shapes: { neighbours: [items, items], history: [users, items] } }`;
   * buffers: the neighbour CSR (`neighbourIndptr`, `neighbourIndices`, `neighbourScores`) and the history CSR
   * (`historyIndptr`, `historyIndices`, `historyValues`).
   */
  toArtifact(): ModelArtifact {
    const { neighbours, history } = this.#fitted();
    return {
      header: {
        kind: this.kind,
        version: ARTIFACT_VERSION,
        params: { ...this.params },
        shapes: { neighbours: [neighbours.rows, neighbours.cols], history: [history.rows, history.cols] },
      },
      buffers: {
        neighbourIndptr: neighbours.indptr,
        neighbourIndices: neighbours.indices,
        neighbourScores: neighbours.data,
        historyIndptr: history.indptr,
        historyIndices: history.indices,
        historyValues: history.data,
      },
    };
  }

  /** Rebuilds a fitted model, validating both CSR matrices; throws a ValidationError on any mismatch. */
  static fromArtifact(artifact: ModelArtifact): ItemKnnRecommender {
    const { header, buffers } = artifact;
    const where = 'ItemKnnRecommender.fromArtifact';
    if (header.kind !== 'item-knn') throw new ValidationError(`${where}: artifact is of kind '${header.kind}'`);
    if (header.version !== ARTIFACT_VERSION) {
      throw new ValidationError(`${where}: unsupported artifact version ${header.version} (expected ${ARTIFACT_VERSION})`);
    }
    const p = header.params;
    const model = new ItemKnnRecommender({
      neighbours: p.neighbours as number,
      weighting: p.weighting as ItemKnnWeighting,
      k1: p.k1 as number,
      b: p.b as number,
    });
    const neighbours = csrFromBuffers(where, 'neighbours', header.shapes.neighbours, [
      buffers.neighbourIndptr,
      buffers.neighbourIndices,
      buffers.neighbourScores,
    ]);
    const history = csrFromBuffers(where, 'history', header.shapes.history, [buffers.historyIndptr, buffers.historyIndices, buffers.historyValues]);
    if (neighbours.rows !== neighbours.cols || history.cols !== neighbours.rows) {
      throw new ValidationError(`${where}: shapes disagree (neighbours ${neighbours.rows}×${neighbours.cols}, history ${history.rows}×${history.cols})`);
    }
    model.#neighbours = neighbours;
    model.#history = history;
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

  #fitted(): { neighbours: CsrMatrix; history: CsrMatrix } {
    if (!this.#neighbours || !this.#history) throw new ValidationError('ItemKnnRecommender is not fitted: call fit() or fromArtifact() first');
    return { neighbours: this.#neighbours, history: this.#history };
  }
}

function csrFromBuffers(
  where: string,
  name: 'neighbours' | 'history',
  shape: readonly number[] | undefined,
  [indptr, indices, data]: readonly (Float32Array | Int32Array | undefined)[],
): CsrMatrix {
  if (!shape || shape.length !== 2) throw new ValidationError(`${where}: shapes.${name} must be [rows, cols]`);
  if (!(indptr instanceof Int32Array) || !(indices instanceof Int32Array) || !(data instanceof Float32Array)) {
    throw new ValidationError(`${where}: the ${name} CSR buffers are missing or of the wrong type`);
  }
  const m: CsrMatrix = { rows: shape[0]!, cols: shape[1]!, indptr, indices, data };
  try {
    validateCsr(m);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`${where}: the ${name} matrix is malformed (${detail})`, { cause: error });
  }
  return m;
}
