/**
 * Compressed sparse row matrix: row r's non-zeros are `indices[indptr[r] .. indptr[r+1])` with values
 * `data[...]`, column indices sorted ascending within a row. Users are rows and items columns for the
 * user-item matrix; its transpose is the item-user matrix.
 */
export interface CsrMatrix {
  readonly rows: number;
  readonly cols: number;
  /** Length rows + 1. */
  readonly indptr: Int32Array;
  /** Length nnz: column index of each non-zero. */
  readonly indices: Int32Array;
  /** Length nnz: value of each non-zero (an interaction's confidence weight). */
  readonly data: Float32Array;
}
