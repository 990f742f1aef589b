import { describe, expect, it } from 'vitest';
import { Rng } from './rng.ts';

const draws = (rng: Rng, n: number) => Array.from({ length: n }, () => rng.next());

describe('Rng', () => {
  it('gives identical streams for equal seeds and different ones otherwise', () => {
    expect(draws(new Rng(42), 20)).toEqual(draws(new Rng(42), 20));
    expect(draws(new Rng(42), 20)).not.toEqual(draws(new Rng(43), 20));
    // Seeds differing only above bit 31 still differ.
    expect(draws(new Rng(1), 5)).not.toEqual(draws(new Rng(1 + 2 ** 32), 5));
  });

  it('keeps next() in [0, 1) and nextInt(n) in [0, n), hitting every value', () => {
    const rng = new Rng(7);
    const seen = new Set<number>();
    for (let i = 0; i < 5000; i++) {
      const x = rng.next();
      expect(x >= 0 && x < 1).toBe(true);
      const j = rng.nextInt(6);
      expect(Number.isInteger(j) && j >= 0 && j < 6).toBe(true);
      seen.add(j);
    }
    expect(seen.size).toBe(6);
    expect(() => rng.nextInt(0)).toThrow(/positive integer bound/);
    expect(() => rng.nextInt(2.5)).toThrow(/positive integer bound/);
    expect(() => new Rng(Number.NaN)).toThrow(/safe integer/);
  });

  it('draws normals with mean ≈ 0 and variance ≈ 1', () => {
    const rng = new Rng(3);
    const n = 20000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      sum += z;
      sq += z * z;
    }
    // Standard errors: mean 1/√n ≈ 0.007, variance √(2/n) ≈ 0.01; bounds are 5σ.
    expect(Math.abs(sum / n)).toBeLessThan(0.035);
    expect(Math.abs(sq / n - 1)).toBeLessThan(0.05);
  });

  it('forks reproducible, independent child streams', () => {
    const a = new Rng(9);
    const b = new Rng(9);
    const childA = a.fork();
    const childB = b.fork();
    expect(draws(childA, 10)).toEqual(draws(childB, 10));
    expect(draws(a, 10)).toEqual(draws(b, 10));
    expect(draws(new Rng(9).fork(), 10)).not.toEqual(draws(new Rng(9), 10));
  });

  it('shuffles to a permutation, reproducibly', () => {
    const shuffled = new Rng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    expect([...shuffled].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect([...shuffled]).toEqual([...new Rng(5).shuffle(Int32Array.from({ length: 50 }, (_, i) => i))]);
    expect([...shuffled]).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });
});
