import { describe, expect, it } from 'vitest';
import { ValidationError } from './errors.ts';
import { Rng } from './rng.ts';

const draws = (rng: Rng, n: number, f: (r: Rng) => number) => Array.from({ length: n }, () => f(rng));

describe('Rng', () => {
  it('repeats its stream for a seed and differs across seeds, including seeds above 32 bits', () => {
    expect(draws(new Rng(7), 50, (r) => r.nextUint32())).toEqual(draws(new Rng(7), 50, (r) => r.nextUint32()));
    expect(draws(new Rng(7), 5, (r) => r.next())).not.toEqual(draws(new Rng(8), 5, (r) => r.next()));
    expect(draws(new Rng(1), 5, (r) => r.next())).not.toEqual(draws(new Rng(1 + 2 ** 32), 5, (r) => r.next()));
  });

  it('rejects seeds that are not safe integers', () => {
    expect(() => new Rng(1.5)).toThrow(ValidationError);
    expect(() => new Rng(Number.NaN)).toThrow(ValidationError);
  });

  it('draws uniform floats in [0, 1) and integers in [lo, hi)', () => {
    const rng = new Rng(1);
    const xs = draws(rng, 100_000, (r) => r.next());
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThan(1);
    expect(xs.reduce((a, b) => a + b, 0) / xs.length).toBeCloseTo(0.5, 2);
    const ints = draws(rng, 10_000, (r) => r.int(-3, 4));
    expect(new Set(ints)).toEqual(new Set([-3, -2, -1, 0, 1, 2, 3]));
    expect(() => rng.int(2, 2)).toThrow(ValidationError);
  });

  it('draws standard normals', () => {
    const xs = draws(new Rng(2), 100_000, (r) => r.normal());
    const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
    const variance = xs.reduce((a, b) => a + (b - mean) ** 2, 0) / xs.length;
    expect(mean).toBeCloseTo(0, 1);
    expect(variance).toBeCloseTo(1, 1);
  });

  it('picks indices in proportion to cumulative weights and never a zero-weight one', () => {
    const rng = new Rng(3);
    const cum = Float64Array.from([1, 1, 4, 4, 10]); // weights 1, 0, 3, 0, 6
    const counts = [0, 0, 0, 0, 0];
    for (let i = 0; i < 100_000; i++) counts[rng.weightedIndex(cum)]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts[3]).toBe(0);
    expect(counts[0]! / 100_000).toBeCloseTo(0.1, 1);
    expect(counts[2]! / 100_000).toBeCloseTo(0.3, 1);
    expect(counts[4]! / 100_000).toBeCloseTo(0.6, 1);
    expect(() => rng.weightedIndex(new Float64Array(0))).toThrow(ValidationError);
  });

  it('shuffles into a permutation, plain and typed arrays alike', () => {
    const rng = new Rng(4);
    const plain = rng.shuffle(Array.from({ length: 100 }, (_, i) => i));
    expect([...plain].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(plain).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
    const typed = rng.shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
    expect([...typed].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(rng.pick(['only'])).toBe('only');
    expect(() => rng.pick([])).toThrow(ValidationError);
  });

  it('forks independent, reproducible streams', () => {
    const a = new Rng(5);
    const b = new Rng(5);
    const childA = a.fork();
    const childB = b.fork();
    expect(draws(childA, 10, (r) => r.next())).toEqual(draws(childB, 10, (r) => r.next()));
    expect(draws(a, 10, (r) => r.next())).not.toEqual(draws(a.fork(), 10, (r) => r.next()));
  });

  it('draws nextInt(n) in [0, n), hitting every value, and rejects bad bounds', () => {
    const rng = new Rng(3);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const v = rng.nextInt(7);
      expect(v >= 0 && v < 7 && Number.isInteger(v)).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
    expect(() => rng.nextInt(0)).toThrow(ValidationError);
    expect(() => rng.nextInt(2.5)).toThrow(ValidationError);
  });
});
