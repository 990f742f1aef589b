import { describe, expect, it } from 'vitest';
import { parameterImportance } from './importance.ts';
import type { TrialRecord } from './trial.ts';

describe('parameter importance', () => {
  it('credits the parameter that drives the value, and says nothing without enough trials', () => {
    const space = {
      x: { type: 'float', min: 0, max: 1, log: false },
      noise: { type: 'float', min: 0, max: 1, log: false },
      c: { type: 'categorical', choices: ['a', 'b'] },
    } as const;
    const trials: TrialRecord[] = Array.from({ length: 40 }, (_, i) => {
      const x = (i % 10) / 10;
      const noise = ((i * 7) % 11) / 11;
      const c = i % 2 ? 'a' : 'b';
      return { number: i, state: 'complete', params: { x, noise, c }, value: 10 * x + 0.1 * noise, intermediate: [] };
    });
    const importance = parameterImportance(space, trials);
    expect(Object.keys(importance)[0]).toBe('x');
    expect(importance.x).toBeGreaterThan(0.8);
    expect(Object.values(importance).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
    expect(parameterImportance(space, trials.slice(0, 3))).toEqual({});
    // Four trials: two bins per parameter, still enough to tell x from noise.
    const four: TrialRecord[] = [
      [0.1, 0.9],
      [0.2, 0.1],
      [0.8, 0.8],
      [0.9, 0.2],
    ].map(([x, noise], i) => ({ number: i, state: 'complete', params: { x: x!, noise: noise!, c: 'a' }, value: 10 * x!, intermediate: [] }));
    const small = parameterImportance(space, four);
    expect(small.x).toBeGreaterThan(0.9);
    expect(small.noise).toBeLessThan(0.1);
    expect(
      parameterImportance(
        space,
        trials.map((t) => ({ ...t, value: 1 })),
      ),
    ).toEqual({});
  });
});
