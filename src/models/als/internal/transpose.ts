import type { CsrMatrix } from '../../core/csr.ts';

/**
 * The transpose of a CSR matrix (users × items → items × users) by a counting sort over the column
 * indices: O(nnz + cols). Rows are visited in order, so the new rows' indices come out sorted.
 */
export function transposeCsr(matrix: CsrMatrix): CsrMatrix {
  const { rows, cols, indptr, indices, data } = matrix;
  const nnz = indptr[rows]!;
  const tIndptr = new Int32Array(cols + 1);
  for (let p = 0; p < nnz; p++) tIndptr[indices[p]! + 1]!++;
  for (let c = 0; c < cols; c++) tIndptr[c + 1]! += tIndptr[c]!;
  const cursor = tIndptr.slice(0, cols);
  const tIndices = new Int32Array(nnz);
  const tData = new Float32Array(nnz);
  for (let r = 0; r < rows; r++) {
    for (let p = indptr[r]!, end = indptr[r + 1]!; p < end; p++) {
      const dest = cursor[indices[p]!]!++;
      tIndices[dest] = r;
      tData[dest] = data[p]!;
    }
  }
  return { rows: cols, cols: rows, indptr: tIndptr, indices: tIndices, data: tData };
}
