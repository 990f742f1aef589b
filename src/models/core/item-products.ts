import { ValidationError } from '../../shared/index.ts';
import type { CsrMatrix } from './csr.ts';
import { selectTopK } from './top-k.ts';

export interface ItemProductsOptions {
  /** Items × users: the left factor (item-kNN's weighted item vectors; RP3beta's step item → user). */
  readonly itemUsers: CsrMatrix;
  /** Users × items: the right factor (the transpose of `itemUsers` for item-kNN; RP3beta's step user → item). */
  readonly userItems: CsrMatrix;
  /** Per target item j, a factor applied to column j after the sum (RP3beta's popularity penalty); default none. */
  readonly columnWeights?: Float64Array;
  /** Entries kept per row (the N largest). */
  readonly neighbours: number;
  /** Checked every few hundred rows, so a long computation can be cancelled. */
  readonly signal?: AbortSignal;
}

/**
 * The N largest positive entries of each row of S = (itemUsers · userItems) · diag(columnWeights), the diagonal
 * left out: an item × item neighbour matrix built without a dense items × items table.
 *
 * Sparse products as in implicit's `all_pairs_knn`: for item i, walk its users u and, for each, the items j of
 * u's row of `userItems`, accumulating into a dense scratch row of item scores reused for every i; the touched
 * items then go through a top-N selection. Cost O(Σ_u nnz(u)²) time, O(items) scratch. Non-positive entries
 * are not neighbourhood evidence and are dropped.
 *
 * Returns an items × items CSR matrix: row i holds its neighbours (column indices sorted) and their values.
 */
export function topItemProducts(options: ItemProductsOptions): CsrMatrix {
  const { itemUsers, userItems, columnWeights, neighbours, signal } = options;
  if (!Number.isInteger(neighbours) || neighbours < 1) {
    throw new ValidationError(`item neighbours must be a positive integer, got ${neighbours}`);
  }
  const items = itemUsers.rows;
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
    for (let p = itemUsers.indptr[i]!; p < itemUsers.indptr[i + 1]!; p++) {
      const u = itemUsers.indices[p]!;
      const wiu = itemUsers.data[p]!;
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
    if (columnWeights) {
      for (let t = 0; t < count; t++) {
        const j = touched[t]!;
        scratch[j] = scratch[j]! * columnWeights[j]!;
      }
    }
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
  return { rows: items, cols: userItems.cols, indptr, indices: indices.slice(0, nnz), data: data.slice(0, nnz) };
}

function grow<A extends Int32Array | Float32Array>(array: A, capacity: number): A {
  const out = new (array.constructor as new (n: number) => A)(capacity);
  out.set(array);
  return out;
}
