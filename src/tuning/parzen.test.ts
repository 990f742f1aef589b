import { describe, expect, it } from 'vitest';
import { Rng } from '../shared/rng.ts';
import { numericScale } from './param-scale.ts';
import { jointParzen, nearestBandwidths, type Bandwidth, type JointDim } from './parzen.ts';
import type { TrialRecord } from './trial.ts';

const trial = (number: number, x: number, y: number): TrialRecord => ({ number, state: 'complete', params: { x, y }, value: 0, intermediate: [] });
const dims: JointDim[] = ['x', 'y'].map((name) => {
  const range = { type: 'float', min: 0, max: 10, log: false } as const;
  return { name, range, scale: numericScale(name, range) };
});

describe('Parzen estimators', () => {
  it('nearest bandwidths: half the distance to the nearest other point over √d; none for a lone point', () => {
    const w = nearestBandwidths([
      [0, 0],
      [0.3, 0.4],
      [1, 1],
    ]);
    expect(w[0]).toBeCloseTo((0.5 * 0.5) / Math.SQRT2, 12);
    expect(w[1]).toBeCloseTo((0.5 * 0.5) / Math.SQRT2, 12);
    expect(w[2]).toBeCloseTo((0.5 * Math.hypot(0.7, 0.6)) / Math.SQRT2, 12);
    expect(nearestBandwidths([[0.5, 0.5]])[0]).toBeNaN();
  });

  it('nearest widths narrow where points crowd and stay wide where they are sparse', () => {
    // Five points within 0.1 of (2, 2) on a 0–10 range, two far apart. The cluster's kernels stop at the
    // clip (1/9 of the range for seven points), the far ones are wider than one width for all.
    const trials = [trial(0, 2, 2), trial(1, 2.1, 2), trial(2, 2, 2.1), trial(3, 2.1, 2.1), trial(4, 2.05, 2.05), trial(5, 8, 3), trial(6, 4, 9)];
    const kernel = (bandwidth: Bandwidth) => jointParzen(dims, trials, { priorWeight: 1, bandwidth, considerEndpoints: false, widthWeighted: false });
    const nearest = kernel('nearest');
    const optuna = kernel('optuna');
    // Denser at the cluster, less dense between it and the far points, than one width for all.
    expect(nearest.logPdf([2.05, 2.05])).toBeGreaterThan(optuna.logPdf([2.05, 2.05]) + 0.3);
    expect(nearest.logPdf([3.5, 3.5])).toBeLessThan(optuna.logPdf([3.5, 3.5]));
    // Samples stay in range and are deterministic for a seed.
    const draws = Array.from({ length: 500 }, (_, s) => nearest.sample(new Rng(s)));
    expect(draws.every((p) => p.every((v) => v >= 0 && v <= 10))).toBe(true);
    expect(nearest.sample(new Rng(3))).toEqual(nearest.sample(new Rng(3)));
  });

  it('integrates to about one over the domain whatever the bandwidth rule', () => {
    const trials = [trial(0, 1, 1), trial(1, 1.2, 5), trial(2, 7, 7)];
    for (const bandwidth of ['nearest', 'optuna', 'neighbour'] as const) {
      const p = jointParzen(dims, trials, { priorWeight: 1, bandwidth, considerEndpoints: false, widthWeighted: false });
      let sum = 0;
      const step = 0.05;
      for (let x = step / 2; x < 10; x += step) for (let y = step / 2; y < 10; y += step) sum += Math.exp(p.logPdf([x, y])) * step * step;
      expect(sum).toBeCloseTo(1, 2);
    }
  });
});
