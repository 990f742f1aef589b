import { describe, expect, it } from 'vitest';
import { Rng } from '../shared/index.ts';
import { FirstTrialSampler, RandomSampler, type Space } from './sampler.ts';

const space: Space = {
  factors: { type: 'int', min: 16, max: 256, log: true },
  alpha: { type: 'float', min: 0.1, max: 100, log: true },
  weighting: { type: 'categorical', choices: ['cosine', 'bm25'] },
};

describe('FirstTrialSampler', () => {
  it('proposes the given values first, restricted to the space, then what the inner sampler draws', () => {
    const sampler = new FirstTrialSampler({ factors: 64, alpha: 1000, weighting: 'bm25', cgSteps: 3, solver: 'cg' }, new RandomSampler());
    const first = sampler.sample(space, [], 'maximize', new Rng(1));
    expect(first['factors']).toBe(64);
    expect(first['weighting']).toBe('bm25');
    // alpha 1000 lies outside the range: drawn instead; names outside the space are left out.
    expect(first['alpha']).toBeGreaterThanOrEqual(0.1);
    expect(first['alpha']).toBeLessThanOrEqual(100);
    expect(Object.keys(first).sort()).toEqual(['alpha', 'factors', 'weighting']);
    const later = sampler.sample(space, [{ number: 0, state: 'complete', params: first, value: 1, intermediate: [] }], 'maximize', new Rng(2));
    expect(later).toEqual(new RandomSampler().sample(space, [], 'maximize', new Rng(2)));
  });
});
