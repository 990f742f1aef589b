import { describe, expect, it } from 'vitest';
import { Rng } from '../shared/rng.ts';
import { DEVELOPMENT_FUNCTIONS, TEST_FUNCTIONS, type TestFunction } from './test-functions.ts';
import type { Params } from './trial.ts';

/** Published minimisers: each function's value there must be its stated minimum. */
const MINIMISERS: Readonly<Record<string, Params>> = {
  branin: { x1: Math.PI, x2: 2.275 },
  hartmann6: { x0: 0.20169, x1: 0.150011, x2: 0.476874, x3: 0.275332, x4: 0.311652, x5: 0.6573 },
  'six-hump-camel': { x1: 0.0898, x2: -0.7126 },
  'goldstein-price-log': { x1: 0, x2: -1 },
  hartmann3: { x0: 0.114614, x1: 0.555649, x2: 0.852547 },
  'rosenbrock-4d-log': { x0: 1, x1: 1, x2: 1, x3: 1 },
  'ackley-5d': { x0: 0, x1: 0, x2: 0, x3: 0, x4: 0 },
  'levy-4d': { x0: 1, x1: 1, x2: 1, x3: 1 },
  'styblinski-tang-4d': { x0: -2.903534, x1: -2.903534, x2: -2.903534, x3: -2.903534 },
  'mixed-log-int-categorical': { learningRate: 10 ** -2.5, regularization: 0.1, units: 37, kind: 'b' },
};

describe('test functions', () => {
  const noiseless = [...TEST_FUNCTIONS, ...DEVELOPMENT_FUNCTIONS].filter((f) => f.name !== 'noisy-quadratic-10d');

  it.each(noiseless)('$name reaches its stated minimum at its known minimiser and nowhere lower on a grid of random points', (fn: TestFunction) => {
    const at = MINIMISERS[fn.name]!;
    expect(Object.keys(at).sort()).toEqual(Object.keys(fn.space).sort());
    expect(fn.evaluate(at, new Rng(1))).toBeCloseTo(fn.minimum, 3);
    const rng = new Rng(7);
    for (let i = 0; i < 2000; i++) {
      const p: Record<string, number | string> = {};
      for (const [name, range] of Object.entries(fn.space)) {
        p[name] = range.type === 'categorical' ? range.choices[rng.uniformInt(range.choices.length)]! : range.min + rng.next() * (range.max - range.min);
        if (range.type === 'int') p[name] = Math.round(p[name] as number);
      }
      expect(fn.evaluate(p, rng)).toBeGreaterThanOrEqual(fn.minimum - 1e-6);
    }
  });

  it('keeps the development functions apart from the reported ones', () => {
    const reported = new Set(TEST_FUNCTIONS.map((f) => f.name));
    expect(DEVELOPMENT_FUNCTIONS.length).toBeGreaterThanOrEqual(8);
    expect(DEVELOPMENT_FUNCTIONS.some((f) => reported.has(f.name))).toBe(false);
  });
});
