import type { Rng } from '../shared/rng.ts';
import type { Space } from './sampler.ts';
import type { Params } from './trial.ts';

/** A standard optimisation test function: its space, value (to minimise) and known minimum. */
export interface TestFunction {
  readonly name: string;
  readonly space: Space;
  readonly minimum: number;
  /** `rng` feeds the noise of noisy functions. */
  evaluate(params: Params, rng: Rng): number;
}

const num = (params: Params, name: string): number => params[name] as number;

/** Branin–Hoo on [−5, 10] × [0, 15]; three global minima of 0.397887. */
export const branin: TestFunction = {
  name: 'branin',
  space: { x1: { type: 'float', min: -5, max: 10, log: false }, x2: { type: 'float', min: 0, max: 15, log: false } },
  minimum: 0.397887,
  evaluate(p) {
    const x1 = num(p, 'x1');
    const x2 = num(p, 'x2');
    const b = 5.1 / (4 * Math.PI * Math.PI);
    const c = 5 / Math.PI;
    const t = 1 / (8 * Math.PI);
    return (x2 - b * x1 * x1 + c * x1 - 6) ** 2 + 10 * (1 - t) * Math.cos(x1) + 10;
  },
};

const HARTMANN_ALPHA = [1, 1.2, 3, 3.2];
const HARTMANN_A = [
  [10, 3, 17, 3.5, 1.7, 8],
  [0.05, 10, 17, 0.1, 8, 14],
  [3, 3.5, 1.7, 10, 17, 8],
  [17, 8, 0.05, 10, 0.1, 14],
];
const HARTMANN_P = [
  [1312, 1696, 5569, 124, 8283, 5886],
  [2329, 4135, 8307, 3736, 1004, 9991],
  [2348, 1451, 3522, 2883, 3047, 6650],
  [4047, 8828, 8732, 5743, 1091, 381],
].map((row) => row.map((v) => v * 1e-4));

/** Hartmann-6 on [0, 1]^6; global minimum −3.32237. */
export const hartmann6: TestFunction = {
  name: 'hartmann6',
  space: Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`x${i}`, { type: 'float', min: 0, max: 1, log: false }])) as Space,
  minimum: -3.32237,
  evaluate(p) {
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 6; j++) inner += HARTMANN_A[i]![j]! * (num(p, `x${j}`) - HARTMANN_P[i]![j]!) ** 2;
      sum += HARTMANN_ALPHA[i]! * Math.exp(-inner);
    }
    return -sum;
  },
};

/** Σ (x_i − 0.1·i)² over 10 dimensions in [−2, 2], plus N(0, 0.1²) noise; minimum 0 before noise. */
export const noisyQuadratic10: TestFunction = {
  name: 'noisy-quadratic-10d',
  space: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`x${i}`, { type: 'float', min: -2, max: 2, log: false }])) as Space,
  minimum: 0,
  evaluate(p, rng) {
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += (num(p, `x${i}`) - 0.1 * i) ** 2;
    return sum + 0.1 * rng.normal();
  },
};

export const TEST_FUNCTIONS: readonly TestFunction[] = [branin, hartmann6, noisyQuadratic10];
