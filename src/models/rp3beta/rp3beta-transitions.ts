import { columnCounts, topItemProducts, transpose, type CsrMatrix } from '../core/index.ts';
import type { Rp3betaParams } from './rp3beta-params.ts';

/**
 * The RP3beta item × item matrix (Paudel, Christoffel, Newell & Bernstein 2017, "Updatable, accurate, diverse,
 * and scalable recommendations for interactive applications"), as Dacrema, Cremonesi & Jannach 2019 fit it: a
 * random walk item → user → item with its transition probabilities raised to α and its arrival penalised by
 * popularity,
 *
 *   P_ui = r_ui / Σ_j r_uj                (the user-item matrix, rows normalised to sum 1)
 *   P_iu = 1 / |U_i| for u ∈ U_i          (the item-user matrix as 0/1, rows normalised)
 *   W(i, j) = Σ_u P_iu^α · P_uj^α / |U_j|^β,   W(i, i) = 0,
 *
 * of which each row keeps its `neighbours` largest entries (then, with normalization 'l1', is rescaled to sum 1).
 * Only positive values are edges of the walk. Built row by row with one dense accumulator of length items
 * (topItemProducts), never a dense items × items matrix. Returns W as an items × items CSR matrix.
 */
export function rp3betaTransitions(matrix: CsrMatrix, params: Rp3betaParams, signal?: AbortSignal): CsrMatrix {
  const positive = positivePart(matrix);
  const userItems = rowPowers(positive, params.alpha, false);
  const itemUsers = rowPowers(transpose(positive), params.alpha, true);
  const popularity = columnCounts(positive);
  const columnWeights = new Float64Array(matrix.cols);
  for (let j = 0; j < matrix.cols; j++) columnWeights[j] = popularity[j]! > 0 ? Math.pow(popularity[j]!, -params.beta) : 0;
  const w = topItemProducts({ itemUsers, userItems, columnWeights, neighbours: params.neighbours, ...(signal ? { signal } : {}) });
  if (params.normalization === 'l1') normalizeRowSums(w);
  return w;
}

/** The matrix without its non-positive entries. */
function positivePart(m: CsrMatrix): CsrMatrix {
  const indptr = new Int32Array(m.rows + 1);
  const indices = new Int32Array(m.indices.length);
  const data = new Float32Array(m.indices.length);
  let nnz = 0;
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      if (!(m.data[p]! > 0)) continue;
      indices[nnz] = m.indices[p]!;
      data[nnz++] = m.data[p]!;
    }
    indptr[r + 1] = nnz;
  }
  return { rows: m.rows, cols: m.cols, indptr, indices: indices.slice(0, nnz), data: data.slice(0, nnz) };
}

/** Each row divided by its sum (of ones when `binary`), then raised to `alpha`: the walk's step probabilities^α. */
function rowPowers(m: CsrMatrix, alpha: number, binary: boolean): CsrMatrix {
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const from = m.indptr[r]!;
    const to = m.indptr[r + 1]!;
    let sum = 0;
    for (let p = from; p < to; p++) sum += binary ? 1 : m.data[p]!;
    for (let p = from; p < to; p++) data[p] = Math.pow((binary ? 1 : m.data[p]!) / sum, alpha);
  }
  return { ...m, data };
}

/** Scales every row of `m` in place to sum 1 (empty rows stay empty). */
function normalizeRowSums(m: CsrMatrix): void {
  const data = m.data as Float32Array;
  for (let r = 0; r < m.rows; r++) {
    let sum = 0;
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) sum += data[p]!;
    if (sum > 0) for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) data[p] = data[p]! / sum;
  }
}
