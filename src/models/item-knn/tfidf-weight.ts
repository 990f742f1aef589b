import type { CsrMatrix } from '../core/index.ts';
import { documentFrequencyIdf } from './idf.ts';

/**
 * TF-IDF weighting of every row of `m` (rows are documents, columns terms: for item-kNN, items and users), as in
 * implicit's `tfidf_weight`:
 *
 *   w(r,c) = √x(r,c) · ln(N / (1 + df(c)))      N = rows, df(c) = non-zeros in column c
 *
 * The square root dampens repeated interactions; the idf makes users who touched many items count less.
 * Returns a new matrix (normalise its rows afterwards for a cosine over TF-IDF vectors).
 */
export function tfidfWeight(m: CsrMatrix): CsrMatrix {
  const idf = documentFrequencyIdf(m);
  const data = new Float32Array(m.data.length);
  for (let p = 0; p < m.data.length; p++) data[p] = Math.sqrt(m.data[p]!) * idf[m.indices[p]!]!;
  return { rows: m.rows, cols: m.cols, indptr: m.indptr.slice(), indices: m.indices.slice(), data };
}
