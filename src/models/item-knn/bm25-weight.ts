import type { CsrMatrix } from '../core/index.ts';
import { documentFrequencyIdf } from './idf.ts';

export interface Bm25Options {
  /** Term-frequency saturation: larger k1 lets repeated interactions count for more. Default 1.2. */
  readonly k1?: number;
  /** Length normalisation in [0, 1]: 0 ignores how many users a row has, 1 fully divides by it. Default 0.75. */
  readonly b?: number;
}

/**
 * Okapi BM25 weighting of every row of `m` (a row is a document, a column a term: for item-kNN, rows are items
 * and columns users), as in implicit's `bm25_weight`:
 *
 *   idf(c)  = ln(N / (1 + df(c)))            N = rows, df(c) = non-zeros in column c
 *   len(r)  = (1 − b) + b · Σ_c x(r,c) / mean_r' Σ_c x(r',c)
 *   w(r,c)  = x(r,c) · (k1 + 1) / (k1 · len(r) + x(r,c)) · idf(c)
 *
 * Users who interacted with many items (large df) weigh less; items with long histories are damped.
 * Robertson & Zaragoza, "The Probabilistic Relevance Framework: BM25 and Beyond" (2009). Returns a new matrix.
 */
export function bm25Weight(m: CsrMatrix, options: Bm25Options = {}): CsrMatrix {
  const k1 = options.k1 ?? 1.2;
  const b = options.b ?? 0.75;
  const idf = documentFrequencyIdf(m);
  const rowSums = new Float64Array(m.rows);
  let total = 0;
  for (let r = 0; r < m.rows; r++) {
    let sum = 0;
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) sum += m.data[p]!;
    rowSums[r] = sum;
    total += sum;
  }
  const meanLength = m.rows > 0 ? total / m.rows : 0;
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const lengthNorm = 1 - b + (meanLength > 0 ? (b * rowSums[r]!) / meanLength : 0);
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const x = m.data[p]!;
      data[p] = ((x * (k1 + 1)) / (k1 * lengthNorm + x)) * idf[m.indices[p]!]!;
    }
  }
  return { rows: m.rows, cols: m.cols, indptr: m.indptr.slice(), indices: m.indices.slice(), data };
}
