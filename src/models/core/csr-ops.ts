import { ValidationError } from '../../shared/index.ts';
import type { CsrMatrix } from './csr.ts';

/** How `csrFromCoo` merges several entries at the same (row, col): add them, keep the largest, or keep the last one given. */
export type DuplicatePolicy = 'sum' | 'max' | 'last';

export interface CooInput {
  readonly rows: number;
  readonly cols: number;
  /** Row of each entry, in [0, rows). */
  readonly rowIdx: Int32Array;
  /** Column of each entry, in [0, cols). */
  readonly colIdx: Int32Array;
  /** Value of each entry; every value is 1 when omitted. */
  readonly values?: Float32Array;
  /** Default 'sum' (repeat interactions add up to more confidence). 'last' is by input order. */
  readonly duplicates?: DuplicatePolicy;
}

/**
 * Builds a CSR matrix from coordinate triples: columns sorted within each row, duplicates merged.
 *
 * Two stable counting sorts (by column, then by row) order the entries by (row, col, input position) in
 * O(nnz + rows + cols) without a comparison sort, so 'last' means the latest in input order.
 */
export function csrFromCoo(input: CooInput): CsrMatrix {
  const { rows, cols, rowIdx, colIdx, values, duplicates = 'sum' } = input;
  checkDimension('rows', rows);
  checkDimension('cols', cols);
  const n = rowIdx.length;
  if (colIdx.length !== n) throw new ValidationError(`csrFromCoo: rowIdx has ${n} entries but colIdx has ${colIdx.length}`);
  if (values && values.length !== n) throw new ValidationError(`csrFromCoo: rowIdx has ${n} entries but values has ${values.length}`);
  for (let e = 0; e < n; e++) {
    const r = rowIdx[e]!;
    const c = colIdx[e]!;
    if (!(r >= 0 && r < rows)) throw new ValidationError(`csrFromCoo: entry ${e} has row ${r}, outside [0, ${rows})`);
    if (!(c >= 0 && c < cols)) throw new ValidationError(`csrFromCoo: entry ${e} has column ${c}, outside [0, ${cols})`);
  }

  const byCol = stableCountingOrder(colIdx, cols, identity(n));
  const order = stableCountingOrder(rowIdx, rows, byCol);

  const indptr = new Int32Array(rows + 1);
  const indices = new Int32Array(n);
  const data = new Float32Array(n);
  let nnz = 0;
  let prevRow = -1;
  let prevCol = -1;
  for (let p = 0; p < n; p++) {
    const e = order[p]!;
    const r = rowIdx[e]!;
    const c = colIdx[e]!;
    const v = values ? values[e]! : 1;
    if (r === prevRow && c === prevCol) {
      const last = nnz - 1;
      if (duplicates === 'sum') data[last] = data[last]! + v;
      else if (duplicates === 'max') data[last] = Math.max(data[last]!, v);
      else data[last] = v;
      continue;
    }
    indices[nnz] = c;
    data[nnz] = v;
    indptr[r + 1]!++;
    nnz++;
    prevRow = r;
    prevCol = c;
  }
  for (let r = 0; r < rows; r++) indptr[r + 1] = indptr[r + 1]! + indptr[r]!;
  return { rows, cols, indptr, indices: indices.slice(0, nnz), data: data.slice(0, nnz) };
}

/** The transpose (user-item ↔ item-user), O(nnz + cols); column indices of the result come out sorted. */
export function transpose(m: CsrMatrix): CsrMatrix {
  const nnz = m.indices.length;
  const indptr = new Int32Array(m.cols + 1);
  for (let p = 0; p < nnz; p++) indptr[m.indices[p]! + 1]!++;
  for (let c = 0; c < m.cols; c++) indptr[c + 1] = indptr[c + 1]! + indptr[c]!;
  const next = indptr.slice(0, m.cols);
  const indices = new Int32Array(nnz);
  const data = new Float32Array(nnz);
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) {
      const c = m.indices[p]!;
      const q = next[c]!++;
      indices[q] = r;
      data[q] = m.data[p]!;
    }
  }
  return { rows: m.cols, cols: m.rows, indptr, indices, data };
}

/** Non-zeros in row r (0 for a row beyond the matrix, so callers can pass ids the matrix has not seen). */
export function rowNnz(m: CsrMatrix, r: number): number {
  if (r < 0 || r >= m.rows) return 0;
  return m.indptr[r + 1]! - m.indptr[r]!;
}

/** Row r's column ids and values as views (no copy); empty for a row beyond the matrix. */
export function csrRow(m: CsrMatrix, r: number): { readonly indices: Int32Array; readonly data: Float32Array } {
  if (r < 0 || r >= m.rows) return { indices: m.indices.subarray(0, 0), data: m.data.subarray(0, 0) };
  const start = m.indptr[r]!;
  const end = m.indptr[r + 1]!;
  return { indices: m.indices.subarray(start, end), data: m.data.subarray(start, end) };
}

/** Row r's column ids as a Set (empty for a row beyond the matrix), for membership tests in small code paths. */
export function csrRowSet(m: CsrMatrix, r: number): Set<number> {
  return new Set(csrRow(m, r).indices);
}

/** Number of non-zeros per column: for a user-item matrix, how many users interacted with each item. */
export function columnCounts(m: CsrMatrix): Int32Array {
  const counts = new Int32Array(m.cols);
  for (let p = 0; p < m.indices.length; p++) counts[m.indices[p]!]!++;
  return counts;
}

/** Sum of values per column, accumulated in float64. */
export function columnSums(m: CsrMatrix): Float64Array {
  const sums = new Float64Array(m.cols);
  for (let p = 0; p < m.indices.length; p++) sums[m.indices[p]!] = sums[m.indices[p]!]! + m.data[p]!;
  return sums;
}

/** A copy with every row scaled to unit L2 norm (all-zero rows stay zero): rowᵢ / ‖rowᵢ‖₂. Dot products of the result are cosines. */
export function normalizeRows(m: CsrMatrix): CsrMatrix {
  const data = new Float32Array(m.data.length);
  for (let r = 0; r < m.rows; r++) {
    const start = m.indptr[r]!;
    const end = m.indptr[r + 1]!;
    let sq = 0;
    for (let p = start; p < end; p++) sq += m.data[p]! * m.data[p]!;
    const inv = sq > 0 ? 1 / Math.sqrt(sq) : 0;
    for (let p = start; p < end; p++) data[p] = m.data[p]! * inv;
  }
  return { rows: m.rows, cols: m.cols, indptr: m.indptr.slice(), indices: m.indices.slice(), data };
}

/**
 * Throws a ValidationError naming the first defect of a malformed CSR matrix: wrong array types or lengths,
 * indptr not starting at 0, decreasing or not ending at nnz, column indices out of range or not strictly
 * increasing within a row (which also rules out duplicates). O(nnz). Call it at trust boundaries (artifacts, callers' input).
 */
export function validateCsr(m: CsrMatrix): void {
  checkDimension('rows', m.rows, 'validateCsr');
  checkDimension('cols', m.cols, 'validateCsr');
  if (!(m.indptr instanceof Int32Array)) throw new ValidationError('validateCsr: indptr must be an Int32Array');
  if (!(m.indices instanceof Int32Array)) throw new ValidationError('validateCsr: indices must be an Int32Array');
  if (!(m.data instanceof Float32Array)) throw new ValidationError('validateCsr: data must be a Float32Array');
  if (m.indptr.length !== m.rows + 1) {
    throw new ValidationError(`validateCsr: indptr has length ${m.indptr.length}, expected rows + 1 = ${m.rows + 1}`);
  }
  const nnz = m.indices.length;
  if (m.data.length !== nnz) throw new ValidationError(`validateCsr: data has length ${m.data.length} but indices has ${nnz}`);
  if (m.indptr[0] !== 0) throw new ValidationError(`validateCsr: indptr[0] is ${m.indptr[0]}, expected 0`);
  if (m.indptr[m.rows] !== nnz) throw new ValidationError(`validateCsr: indptr[${m.rows}] is ${m.indptr[m.rows]}, expected nnz = ${nnz}`);
  // Monotone indptr first: with indptr[0] = 0 and indptr[rows] = nnz it keeps every row's slice inside indices.
  for (let r = 0; r < m.rows; r++) {
    if (m.indptr[r + 1]! < m.indptr[r]!) throw new ValidationError(`validateCsr: indptr decreases at row ${r} (${m.indptr[r]} → ${m.indptr[r + 1]})`);
  }
  for (let r = 0; r < m.rows; r++) {
    const start = m.indptr[r]!;
    const end = m.indptr[r + 1]!;
    let prev = -1;
    for (let p = start; p < end; p++) {
      const c = m.indices[p]!;
      if (c < 0 || c >= m.cols) throw new ValidationError(`validateCsr: row ${r} has column ${c}, outside [0, ${m.cols})`);
      if (c <= prev) throw new ValidationError(`validateCsr: row ${r} columns are not strictly increasing (${prev} then ${c})`);
      prev = c;
    }
  }
}

function checkDimension(name: string, value: number, where = 'csrFromCoo'): void {
  if (!Number.isInteger(value) || value < 0 || value > 0x7fffffff) {
    throw new ValidationError(`${where}: ${name} must be a non-negative 32-bit integer, got ${value}`);
  }
}

function identity(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** Reorders `order` stably by `keys[order[i]]` in [0, range): one counting-sort pass. */
function stableCountingOrder(keys: Int32Array, range: number, order: Int32Array): Int32Array {
  const start = new Int32Array(range + 1);
  for (let i = 0; i < order.length; i++) start[keys[order[i]!]! + 1]!++;
  for (let k = 0; k < range; k++) start[k + 1] = start[k + 1]! + start[k]!;
  const out = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const e = order[i]!;
    out[start[keys[e]!]!++] = e;
  }
  return out;
}
