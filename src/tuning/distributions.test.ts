import { describe, expect, it } from 'vitest';
import { Rng } from '../shared/rng.ts';
import { erf, logSumExp, normalCdf, normalQuantile, truncatedNormalLogPdf, truncatedNormalSample } from './distributions.ts';

describe('normal distribution helpers', () => {
  it('match reference values', () => {
    expect(erf(0.5)).toBeCloseTo(0.5204998778, 6);
    expect(erf(-1.5)).toBeCloseTo(-0.9661051465, 6);
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(1e-6)).toBeCloseTo(-4.753424, 5);
    for (const p of [0.001, 0.2, 0.5, 0.77, 0.9999]) expect(normalCdf(normalQuantile(p))).toBeCloseTo(p, 6);
    expect(logSumExp([Math.log(2), Math.log(3)])).toBeCloseTo(Math.log(5), 12);
    expect(logSumExp([-Infinity])).toBe(-Infinity);
  });

  it('give a truncated normal density that integrates to 1 and samples with its mean', () => {
    const rng = new Rng(3);
    for (const [mu, sigma, low, high] of [
      [0, 1, -1, 2],
      [0.9, 0.05, 0, 1],
      [0, 10, -2, 2],
    ] as const) {
      let integral = 0;
      let mean = 0;
      const steps = 20_000;
      const h = (high - low) / steps;
      for (let i = 0; i < steps; i++) {
        const x = low + (i + 0.5) * h;
        const p = Math.exp(truncatedNormalLogPdf(x, mu, sigma, low, high));
        integral += p * h;
        mean += x * p * h;
      }
      expect(integral).toBeCloseTo(1, 3);
      let sampled = 0;
      for (let i = 0; i < 50_000; i++) {
        const x = truncatedNormalSample(rng.next(), mu, sigma, low, high);
        expect(x >= low && x <= high).toBe(true);
        sampled += x / 50_000;
      }
      expect(Math.abs(sampled - mean)).toBeLessThan(0.02 * (high - low));
    }
  });
});
