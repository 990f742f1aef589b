import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/index.ts';
import { addGramRows } from '../als-kernels.ts';
import { createSimdGramRows } from './gram-rows.ts';

describe('SIMD Gram of solved rows', () => {
  it('adds exactly the sums addGramRows adds (bit for bit), upper triangle only, at the offset', () => {
    const rng = new Rng(3);
    for (const f of [2, 8, 64]) {
      const kernel = createSimdGramRows(f)!;
      const factors = Float32Array.from({ length: 700 * f }, () => (rng.next() - 0.5) * 4);
      // Block sizes with every remainder mod 4, and one larger than the kernel's first capacity.
      for (const [start, end] of [
        [0, 1],
        [3, 5],
        [10, 13],
        [20, 28],
        [100, 103],
        [0, 700],
      ] as const) {
        const offset = 3 * f * f;
        const expected = new Float64Array(5 * f * f).fill(0.25);
        const actual = new Float64Array(5 * f * f).fill(0.25);
        addGramRows(factors, f, start, end, expected, offset);
        kernel.add(factors, start, end, actual, offset);
        expect(actual, `f = ${f}, rows [${start}, ${end})`).toEqual(expected);
      }
    }
  });

  it('is not offered for an odd factor count', () => {
    expect(createSimdGramRows(5)).toBeUndefined();
    expect(createSimdGramRows(0)).toBeUndefined();
  });
});
