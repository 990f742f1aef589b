import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../core/index.ts';
import { bm25Weight } from './bm25-weight.ts';

// 4 rows (documents) × 2 columns (terms); rows 2 and 3 are empty:
//   row 0: c0 = 1, c1 = 2   (length 3)
//   row 1: c0 = 3           (length 3)
// N = 4; df(c0) = 2 → idf0 = ln(4/3); df(c1) = 1 → idf1 = ln(4/2) = ln 2.
// Mean length = (3 + 3 + 0 + 0) / 4 = 1.5, so with b = 0.75: len(0) = len(1) = 0.25 + 0.75 · 3/1.5 = 1.75.
const m = csrFromCoo({ rows: 4, cols: 2, rowIdx: Int32Array.of(0, 0, 1), colIdx: Int32Array.of(0, 1, 0), values: Float32Array.of(1, 2, 3) });

describe('bm25Weight', () => {
  it('matches the hand-computed weights with k1 = 1.2, b = 0.75 (the defaults)', () => {
    const w = bm25Weight(m);
    // w = x · (k1 + 1) / (k1 · len + x) · idf, and k1 · len = 1.2 · 1.75 = 2.1:
    expect(w.data[0]).toBeCloseTo(((1 * 2.2) / (2.1 + 1)) * Math.log(4 / 3), 6); // 0.70968 · 0.28768 = 0.20416
    expect(w.data[1]).toBeCloseTo(((2 * 2.2) / (2.1 + 2)) * Math.log(2), 6); // 1.07317 · 0.69315 = 0.74387
    expect(w.data[2]).toBeCloseTo(((3 * 2.2) / (2.1 + 3)) * Math.log(4 / 3), 6); // 1.29412 · 0.28768 = 0.37229
    expect([...w.indptr]).toEqual([...m.indptr]);
    expect([...w.indices]).toEqual([...m.indices]);
    expect([...m.data]).toEqual([1, 2, 3]);
  });

  it('reduces to saturated tf · idf without length normalisation (b = 0)', () => {
    const w = bm25Weight(m, { k1: 1, b: 0 });
    // len = 1: w = x · 2 / (1 + x) · idf → 1 · idf0, (4/3) · idf1, 1.5 · idf0.
    expect(w.data[0]).toBeCloseTo(Math.log(4 / 3), 6);
    expect(w.data[1]).toBeCloseTo((4 / 3) * Math.log(2), 6);
    expect(w.data[2]).toBeCloseTo(1.5 * Math.log(4 / 3), 6);
  });
});
