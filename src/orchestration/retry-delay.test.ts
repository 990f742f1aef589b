import { describe, expect, it } from 'vitest';
import { Rng } from '../shared/index.ts';
import { retryDelaySeconds } from './retry-delay.ts';

describe('retry delay', () => {
  const policy = { retries: 5, delay: 30, factor: 2, maxDelay: 600, jitter: 0 };

  it('backs off exponentially up to the maximum', () => {
    const rng = new Rng(1);
    expect([1, 2, 3, 4, 5, 6, 9].map((t) => retryDelaySeconds(policy, t, rng))).toEqual([30, 60, 120, 240, 480, 600, 600]);
  });

  it('adds a random share of the delay, reproducibly from the seed', () => {
    const jittered = { ...policy, jitter: 0.1 };
    const a = Array.from({ length: 50 }, (_, i) => retryDelaySeconds(jittered, 1 + (i % 3), new Rng(i)));
    const b = Array.from({ length: 50 }, (_, i) => retryDelaySeconds(jittered, 1 + (i % 3), new Rng(i)));
    expect(a).toEqual(b);
    a.forEach((d, i) => {
      const base = 30 * 2 ** (i % 3);
      expect(d).toBeGreaterThanOrEqual(base);
      expect(d).toBeLessThan(base * 1.1);
    });
    expect(new Set(a).size).toBeGreaterThan(40);
  });
});
