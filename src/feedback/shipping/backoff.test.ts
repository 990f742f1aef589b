import { describe, expect, it } from 'vitest';
import { backoffDelay } from './backoff.ts';

describe('backoffDelay', () => {
  const bounds = { initialMs: 100, maxMs: 1000 };

  it('doubles its step on every attempt, jittered within the upper half of the step', () => {
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, bounds, () => 0))).toEqual([50, 100, 200, 400]);
    expect([0, 1, 2, 3].map((a) => backoffDelay(a, bounds, () => 0.999999))).toEqual([100, 200, 400, 800]);
  });

  it('never waits longer than the cap, however many attempts', () => {
    for (const attempt of [4, 10, 60, 10_000]) {
      expect(backoffDelay(attempt, bounds, () => 0.999999)).toBeLessThanOrEqual(1000);
      expect(backoffDelay(attempt, bounds, () => 0)).toBe(500);
    }
  });
});
