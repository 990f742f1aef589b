import { describe, expect, it } from 'vitest';
import { randomInteractions } from './test-fixtures.ts';
import { transposeCsr } from './transpose.ts';

describe('transposeCsr', () => {
  it('swaps rows and columns, keeps values, sorts each row, and round-trips', () => {
    const m = randomInteractions({ users: 50, items: 20, perUser: 4, seed: 2 });
    const data = Float32Array.from(m.data, (_, q) => q + 0.5);
    const t = transposeCsr({ ...m, data });
    expect([t.rows, t.cols]).toEqual([20, 50]);
    for (let i = 0; i < t.rows; i++) {
      for (let q = t.indptr[i]!; q < t.indptr[i + 1]!; q++) {
        const u = t.indices[q]!;
        if (q > t.indptr[i]!) expect(u).toBeGreaterThan(t.indices[q - 1]!);
        const p = m.indices.subarray(m.indptr[u]!, m.indptr[u + 1]!).indexOf(i) + m.indptr[u]!;
        expect(t.data[q]).toBe(data[p]);
      }
    }
    const back = transposeCsr(t);
    expect(back.indptr).toEqual(m.indptr);
    expect(back.indices).toEqual(m.indices);
    expect(back.data).toEqual(data);
  });
});
