import { ValidationError } from '../../shared/index.ts';
import { checkArtifactHeader, csrFromBuffers, historyArtifactParts, readHistory } from './csr-artifact.ts';
import { csrRow } from './csr-ops.ts';
import type { CsrMatrix } from './csr.ts';
import { candidateIds, checkIds, foldInRow, topKWidth } from './recommend-args.ts';
import type { FitOptions, FitReport, FoldInInteractions, ModelArtifact, ModelKind, RecommendOptions, Recommender, TopK } from './recommender.ts';
import { allocateTopK, selectTopK } from './top-k.ts';

const ARTIFACT_VERSION = 1;

/**
 * What item-neighbour models (item-kNN, RP3beta) share: a sparse items × items matrix W whose row j lists the
 * items j leads to, and the training matrix as each user's history (`recommend` receives only user ids). A
 * user's score for item i is
 *
 *   score(u, i) = Σ_{j ∈ items(u)} x(u, j) · W(j, i)
 *
 * with x the training value. Only items reachable through a neighbour list are scored, so a user with no history
 * (or only isolated items) gets fewer than k results, padded with -1. Fold-in needs no refit: W does not depend
 * on the new user. Subclasses fit W.
 */
export abstract class NeighbourRecommender<P extends object> implements Recommender {
  abstract readonly kind: ModelKind;
  readonly params: P;
  readonly #name: string;
  #neighbours: CsrMatrix | undefined;
  #history: CsrMatrix | undefined;

  /** `name` prefixes error messages (the class name). */
  protected constructor(params: P, name: string) {
    this.params = params;
    this.#name = name;
  }

  abstract fit(matrix: CsrMatrix, options?: FitOptions): Promise<FitReport>;

  recommend(users: Int32Array, options: RecommendOptions): TopK {
    const { history } = this.fitted();
    checkIds(users, history.rows, 'user');
    return this.#score(history, users, options);
  }

  /**
   * Fold-in: the given history scored exactly as a training user's row (score(u, i) above), the history's
   * items excluded.
   */
  recommendFolded(interactions: FoldInInteractions, options: { k: number; candidates?: Int32Array }): TopK {
    const row = foldInRow(interactions, this.fitted().neighbours.rows);
    return this.#score(row, Int32Array.of(0), { k: options.k, exclude: row, ...(options.candidates ? { candidates: options.candidates } : {}) });
  }

  /** score(u, i) for the given rows of `history` (users' interactions), top k per row; the one scoring path. */
  #score(history: CsrMatrix, users: Int32Array, options: RecommendOptions): TopK {
    const { neighbours } = this.fitted();
    const { exclude } = options;
    const items = neighbours.rows;
    const k = topKWidth(options.k, items, this.#name);
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

  /** The query item's stored neighbours, largest W first (never the item itself); -1 padding past its list. */
  similarItems(items: Int32Array, requested: number): TopK {
    const { neighbours } = this.fitted();
    const k = topKWidth(requested, neighbours.rows - 1, this.#name);
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
   * Header `{ kind, version: 1, params, shapes: { neighbours: [items, items], history: [users, items] } }`;
   * buffers: the neighbour CSR (`neighbourIndptr`, `neighbourIndices`, `neighbourScores`) and the history CSR
   * (`historyIndptr`, `historyIndices`, `historyValues`).
   */
  toArtifact(): ModelArtifact {
    const { neighbours, history } = this.fitted();
    const h = historyArtifactParts(history);
    return {
      header: {
        kind: this.kind,
        version: ARTIFACT_VERSION,
        params: { ...this.params } as Readonly<Record<string, unknown>>,
        shapes: { neighbours: [neighbours.rows, neighbours.cols], history: h.shape },
      },
      buffers: {
        neighbourIndptr: neighbours.indptr,
        neighbourIndices: neighbours.indices,
        neighbourScores: neighbours.data,
        ...h.buffers,
      },
    };
  }

  /** Installs a fitted (or loaded) neighbour matrix and the users' histories. */
  protected adopt(neighbours: CsrMatrix, history: CsrMatrix): void {
    this.#neighbours = neighbours;
    this.#history = history;
  }

  protected fitted(): { neighbours: CsrMatrix; history: CsrMatrix } {
    if (!this.#neighbours || !this.#history) throw new ValidationError(`${this.#name} is not fitted: call fit() or fromArtifact() first`);
    return { neighbours: this.#neighbours, history: this.#history };
  }
}

/**
 * Reads a neighbour model's artifact ({@link NeighbourRecommender.toArtifact}): checks kind and version and
 * validates both CSR matrices and their shapes; throws a ValidationError naming what is inconsistent.
 */
export function readNeighbourArtifact(
  artifact: ModelArtifact,
  expected: { kind: ModelKind; where: string },
): { params: Readonly<Record<string, unknown>>; neighbours: CsrMatrix; history: CsrMatrix } {
  const { header, buffers } = artifact;
  const { where } = expected;
  checkArtifactHeader(artifact, { ...expected, version: ARTIFACT_VERSION });
  const neighbours = csrFromBuffers(where, 'neighbours', header.shapes.neighbours, [
    buffers.neighbourIndptr,
    buffers.neighbourIndices,
    buffers.neighbourScores,
  ]);
  const history = readHistory(artifact, where);
  if (neighbours.rows !== neighbours.cols || history.cols !== neighbours.rows) {
    throw new ValidationError(`${where}: shapes disagree (neighbours ${neighbours.rows}×${neighbours.cols}, history ${history.rows}×${history.cols})`);
  }
  return { params: header.params, neighbours, history };
}
