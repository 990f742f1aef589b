import { describe, expect, it } from 'vitest';
import type { CsrMatrix } from './csr.ts';
import { columnCounts, columnSums, csrFromCoo, csrRow, csrRowSet, normalizeRows, rowNnz, transpose, validateCsr } from './csr-ops.ts';

/** Dense rows of a CSR matrix, for readable assertions on small fixtures. */
function dense(m: CsrMatrix): number[][] {
  const out = Array.from({ length: m.rows }, () => new Array<number>(m.cols).fill(0));
  for (let r = 0; r < m.rows; r++) {
    for (let p = m.indptr[r]!; p < m.indptr[r + 1]!; p++) out[r]![m.indices[p]!] = m.data[p]!;
  }
  return out;
}

const coo = (entries: [number, number, number][]) => ({
  rowIdx: Int32Array.from(entries.map((e) => e[0])),
  colIdx: Int32Array.from(entries.map((e) => e[1])),
  values: Float32Array.from(entries.map((e) => e[2])),
});

describe('csrFromCoo', () => {
  it('sorts columns within rows and keeps empty rows', () => {
    const m = csrFromCoo({
      rows: 4,
      cols: 3,
      ...coo([
        [2, 2, 5],
        [0, 1, 1],
        [2, 0, 4],
        [0, 0, 2],
      ]),
    });
    validateCsr(m);
    expect([...m.indptr]).toEqual([0, 2, 2, 4, 4]);
    expect([...m.indices]).toEqual([0, 1, 0, 2]);
    expect([...m.data]).toEqual([2, 1, 4, 5]);
  });

  it("merges duplicates by 'sum', 'max' and 'last' (input order)", () => {
    const entries = coo([
      [0, 1, 2],
      [1, 0, 7],
      [0, 1, 5],
      [0, 1, 3],
    ]);
    const value = (duplicates: 'sum' | 'max' | 'last') => dense(csrFromCoo({ rows: 2, cols: 2, ...entries, duplicates }))[0]![1];
    expect(value('sum')).toBe(10);
    expect(value('max')).toBe(5);
    expect(value('last')).toBe(3);
    expect(csrFromCoo({ rows: 2, cols: 2, ...entries }).indices.length).toBe(2);
  });

  it('defaults values to 1 and rejects out-of-range or mismatched input', () => {
    const m = csrFromCoo({ rows: 1, cols: 2, rowIdx: Int32Array.of(0, 0), colIdx: Int32Array.of(1, 0) });
    expect([...m.data]).toEqual([1, 1]);
    expect(() => csrFromCoo({ rows: 1, cols: 2, rowIdx: Int32Array.of(1), colIdx: Int32Array.of(0) })).toThrow(/row 1, outside \[0, 1\)/);
    expect(() => csrFromCoo({ rows: 1, cols: 2, rowIdx: Int32Array.of(0), colIdx: Int32Array.of(2) })).toThrow(/column 2/);
    expect(() => csrFromCoo({ rows: 1, cols: 2, rowIdx: Int32Array.of(0), colIdx: Int32Array.of() })).toThrow(/colIdx/);
  });
});

describe('transpose', () => {
  it('round-trips and matches the dense transpose', () => {
    const m = csrFromCoo({
      rows: 3,
      cols: 4,
      ...coo([
        [0, 3, 1],
        [1, 0, 2],
        [2, 3, 3],
        [2, 1, 4],
      ]),
    });
    const t = transpose(m);
    validateCsr(t);
    expect(dense(t)).toEqual([
      [0, 2, 0],
      [0, 0, 4],
      [0, 0, 0],
      [1, 0, 3],
    ]);
    expect(dense(transpose(t))).toEqual(dense(m));
  });
});

describe('row and column helpers', () => {
  const m = csrFromCoo({
    rows: 2,
    cols: 3,
    ...coo([
      [0, 0, 3],
      [0, 2, 4],
      [1, 2, 1],
    ]),
  });

  it('reads rows, and treats rows beyond the matrix as empty', () => {
    expect(rowNnz(m, 0)).toBe(2);
    expect(rowNnz(m, 5)).toBe(0);
    expect([...csrRow(m, 0).indices]).toEqual([0, 2]);
    expect(csrRow(m, 9).indices.length).toBe(0);
    expect(csrRowSet(m, 0)).toEqual(new Set([0, 2]));
  });

  it('counts and sums columns', () => {
    expect([...columnCounts(m)]).toEqual([1, 0, 2]);
    expect([...columnSums(m)]).toEqual([3, 0, 5]);
  });

  it('normalises rows to unit L2 norm', () => {
    // Row 0 = (3, 0, 4): norm 5 → (0.6, 0, 0.8). Row 1 = (0, 0, 1) stays.
    const n = normalizeRows(m);
    expect(dense(n)[0]![0]).toBeCloseTo(0.6, 6);
    expect(dense(n)[0]![2]).toBeCloseTo(0.8, 6);
    expect(dense(n)[1]).toEqual([0, 0, 1]);
    expect([...m.data]).toEqual([3, 4, 1]);
  });
});

describe('validateCsr', () => {
  const good = (): CsrMatrix => ({
    rows: 2,
    cols: 3,
    indptr: Int32Array.of(0, 2, 3),
    indices: Int32Array.of(0, 2, 1),
    data: Float32Array.of(1, 1, 1),
  });

  it('accepts a well-formed matrix', () => {
    expect(() => validateCsr(good())).not.toThrow();
  });

  it.each([
    ['indptr length', { indptr: Int32Array.of(0, 3) }, /indptr has length 2, expected rows \+ 1 = 3/],
    ['data length', { data: Float32Array.of(1, 1) }, /data has length 2 but indices has 3/],
    ['indptr start', { indptr: Int32Array.of(1, 2, 3) }, /indptr\[0\] is 1/],
    ['indptr end', { indptr: Int32Array.of(0, 2, 2) }, /indptr\[2\] is 2, expected nnz = 3/],
    ['indptr past nnz then back', { indptr: Int32Array.of(0, 4, 3) }, /indptr decreases at row 1 \(4 → 3\)/],
    ['column out of range', { indices: Int32Array.of(0, 3, 1) }, /column 3, outside \[0, 3\)/],
    ['negative column', { indices: Int32Array.of(-1, 2, 1) }, /column -1/],
    ['unsorted columns', { indices: Int32Array.of(2, 0, 1) }, /not strictly increasing \(2 then 0\)/],
    ['duplicate columns', { indices: Int32Array.of(2, 2, 1) }, /not strictly increasing/],
    ['wrong array type', { data: Array.of(1, 1, 1) as unknown as Float32Array }, /data must be a Float32Array/],
    ['bad dimension', { rows: -1 }, /rows must be a non-negative/],
  ])('rejects %s', (_name, patch, message) => {
    expect(() => validateCsr({ ...good(), ...patch })).toThrow(message);
  });

  it('names a decreasing indptr', () => {
    const m: CsrMatrix = { rows: 3, cols: 3, indptr: Int32Array.of(0, 2, 1, 3), indices: Int32Array.of(0, 1, 2), data: Float32Array.of(1, 1, 1) };
    expect(() => validateCsr(m)).toThrow(/indptr decreases at row 1/);
  });
});
