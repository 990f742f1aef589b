import { describe, expect, it } from 'vitest';
import { SeededRng } from './rng.ts';

describe('SeededRng', () => {
  it('repeats a stream for a seed and differs between seeds', () => {
    const draw = (seed: number): number[] => {
      const rng = new SeededRng(seed);
      return Array.from({ length: 8 }, () => rng.nextUint32());
    };
    expect(draw(1)).toEqual(draw(1));
    expect(draw(2)).not.toEqual(draw(1));
    expect(draw(0).every((v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32)).toBe(true);
  });

  it('draws uniform floats in [0, 1) and ints in [0, n)', () => {
    const rng = new SeededRng(9);
    const counts = new Array<number>(10).fill(0);
    let sum = 0;
    for (let t = 0; t < 20_000; t++) {
      const x = rng.nextFloat();
      expect(x >= 0 && x < 1).toBe(true);
      sum += x;
      counts[rng.nextInt(10)]!++;
    }
    expect(sum / 20_000).toBeCloseTo(0.5, 1);
    for (const c of counts) expect(Math.abs(c - 2000)).toBeLessThan(200);
  });
});
