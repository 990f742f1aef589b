import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../core/index.ts';
import { tfidfWeight } from './tfidf-weight.ts';

describe('tfidfWeight', () => {
  it('weights √x by ln(N / (1 + df)), hand-computed', () => {
    // 4 rows × 2 columns: row 0 = (1, 2), row 1 = (4, 0), rows 2–3 empty.
    // N = 4; df(c0) = 2 → idf0 = ln(4/3) = 0.28768; df(c1) = 1 → idf1 = ln 2 = 0.69315.
    const m = csrFromCoo({ rows: 4, cols: 2, rowIdx: Int32Array.of(0, 0, 1), colIdx: Int32Array.of(0, 1, 0), values: Float32Array.of(1, 2, 4) });
    const w = tfidfWeight(m);
    expect(w.data[0]).toBeCloseTo(1 * Math.log(4 / 3), 6); // √1 · 0.28768
    expect(w.data[1]).toBeCloseTo(Math.SQRT2 * Math.log(2), 6); // √2 · 0.69315 = 0.98026
    expect(w.data[2]).toBeCloseTo(2 * Math.log(4 / 3), 6); // √4 · 0.28768 = 0.57536
    expect([...m.data]).toEqual([1, 2, 4]);
    expect(w.indices).not.toBe(m.indices);
  });
});
