import { columnCounts, type CsrMatrix } from '../core/index.ts';

/**
 * Inverse document frequency per column, shared by the BM25 and TF-IDF weightings:
 * idf(c) = ln(N / (1 + df(c))) with N = rows and df(c) = non-zeros in column c. It is negative for a column
 * present in nearly every row (df ≥ N), as in implicit; such a user then counts against similarity.
 */
export function documentFrequencyIdf(m: CsrMatrix): Float64Array {
  const df = columnCounts(m);
  const idf = new Float64Array(m.cols);
  for (let c = 0; c < m.cols; c++) idf[c] = Math.log(m.rows / (1 + df[c]!));
  return idf;
}
