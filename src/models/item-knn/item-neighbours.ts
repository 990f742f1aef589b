import { ValidationError } from '../../shared/index.ts';
import { selectTopK, transpose, type CsrMatrix } from '../core/index.ts';

export interface ItemNeighboursOptions {
  /** Neighbours kept per item (the N most similar, by similarity). */
  readonly neighbours: number;
  /** Checked every few hundred items, so a long computation can be cancelled. */
  readonly signal?: AbortSignal;
}

/**
 * Item-item similarity sim(i, j) = Σ_u w(i,u) · w(j,u) = (W Wᵀ)(i, j) over a weighted item-user matrix W
 * (items × users), keeping for each item its `neighbours` most similar other items with a positive similarity.
 * With W's rows L2-normalised this is cosine similarity (Sarwar et al., "Item-based collaborative filtering
 * recommendation algorithms", WWW 2001).
 *
 * Sparse dot products as in implicit's `all_pairs_knn`: for item i, walk its users u and, for each, the items j of
 * u's row in Wᵀ, accumulating into a dense scratch of item scores; the touched items then go through a top-N
 * selection. Cost O(Σ_u nnz(u)²) time, O(items) scratch. Unlike implicit, an item is never its own neighbour.
 *
 * Returns an items × items CSR matrix: row i holds i's neighbours (column indices sorted) and their similarities.
 */
export function itemNeighbours(weighted: CsrMatrix, options: ItemNeighboursOptions): CsrMatrix {
  const { neighbours, signal } = options;
  if (!Number.isInteger(neighbours) || neighbours < 1) {
    throw new ValidationError(`itemNeighbours: neighbours must be a positive integer, got ${neighbours}`);
  }
  const items = weighted.rows;
  const userItems = transpose(weighted);
  const keep = Math.min(neighbours, Math.max(items - 1, 1));
  const scratch = new Float32Array(items).fill(-Infinity);
  const touched = new Int32Array(items);
  const topIds = new Int32Array(keep);
  const topScores = new Float32Array(keep);
  const rowIds = new Int32Array(keep);

  const indptr = new Int32Array(items + 1);
  let indices = new Int32Array(Math.min(items * keep, 1 << 20));
  let data = new Float32Array(indices.length);
  let nnz = 0;

  for (let i = 0; i < items; i++) {
    if ((i & 255) === 0) signal?.throwIfAborted();
    let count = 0;
    for (let p = weighted.indptr[i]!; p < weighted.indptr[i + 1]!; p++) {
      const u = weighted.indices[p]!;
      const wiu = weighted.data[p]!;
      for (let q = userItems.indptr[u]!; q < userItems.indptr[u + 1]!; q++) {
        const j = userItems.indices[q]!;
        if (j === i) continue;
        if (scratch[j] === -Infinity) {
          scratch[j] = 0;
          touched[count++] = j;
        }
        scratch[j] = scratch[j]! + wiu * userItems.data[q]!;
      }
    }
    // Non-positive similarities are not neighbourhood evidence; drop them before selection.
    for (let t = 0; t < count; t++) {
      const j = touched[t]!;
      if (!(scratch[j]! > 0)) scratch[j] = -Infinity;
    }
    selectTopK(scratch, keep, topIds, topScores, 0, touched.subarray(0, count));
    let found = 0;
    while (found < keep && topIds[found]! >= 0) {
      rowIds[found] = topIds[found]!;
      found++;
    }
    const sorted = rowIds.subarray(0, found).sort();
    if (nnz + found > indices.length) {
      const capacity = Math.max(nnz + found, Math.min(indices.length * 2, items * keep));
      indices = grow(indices, capacity);
      data = grow(data, capacity);
    }
    for (let t = 0; t < found; t++) {
      indices[nnz] = sorted[t]!;
      data[nnz] = scratch[sorted[t]!]!;
      nnz++;
    }
    indptr[i + 1] = nnz;
    for (let t = 0; t < count; t++) scratch[touched[t]!] = -Infinity;
  }
  return { rows: items, cols: items, indptr, indices: indices.slice(0, nnz), data: data.slice(0, nnz) };
}

function grow<A extends Int32Array | Float32Array>(array: A, capacity: number): A {
  const out = new (array.constructor as new (n: number) => A)(capacity);
  out.set(array);
  return out;
}
