import type { Rng } from '../shared/index.ts';
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
const floats = (d: number, low: number, high: number): Space =>
  Object.fromEntries(Array.from({ length: d }, (_, i) => [`x${i}`, { type: 'float', min: low, max: high, log: false }])) as Space;
const xs = (p: Params, d: number): number[] => Array.from({ length: d }, (_, i) => num(p, `x${i}`));

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
  space: floats(6, 0, 1),
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
  space: floats(10, -2, 2),
  minimum: 0,
  evaluate(p, rng) {
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += (num(p, `x${i}`) - 0.1 * i) ** 2;
    return sum + 0.1 * rng.normal();
  },
};

export const TEST_FUNCTIONS: readonly TestFunction[] = [branin, hartmann6, noisyQuadratic10];

/** Six-hump camel on [−3, 3] × [−2, 2]; two global minima of −1.031628. */
export const sixHumpCamel: TestFunction = {
  name: 'six-hump-camel',
  space: { x1: { type: 'float', min: -3, max: 3, log: false }, x2: { type: 'float', min: -2, max: 2, log: false } },
  minimum: -1.031628,
  evaluate(p) {
    const x = num(p, 'x1');
    const y = num(p, 'x2');
    return (4 - 2.1 * x * x + x ** 4 / 3) * x * x + x * y + (-4 + 4 * y * y) * y * y;
  },
};

/** Goldstein–Price on [−2, 2]², in log: log(f) with f's minimum 3 at (0, −1). */
export const goldsteinPrice: TestFunction = {
  name: 'goldstein-price-log',
  space: { x1: { type: 'float', min: -2, max: 2, log: false }, x2: { type: 'float', min: -2, max: 2, log: false } },
  minimum: Math.log(3),
  evaluate(p) {
    const x = num(p, 'x1');
    const y = num(p, 'x2');
    const a = 1 + (x + y + 1) ** 2 * (19 - 14 * x + 3 * x * x - 14 * y + 6 * x * y + 3 * y * y);
    const b = 30 + (2 * x - 3 * y) ** 2 * (18 - 32 * x + 12 * x * x + 48 * y - 36 * x * y + 27 * y * y);
    return Math.log(a * b);
  },
};

const HARTMANN3_A = [
  [3, 10, 30],
  [0.1, 10, 35],
  [3, 10, 30],
  [0.1, 10, 35],
];
const HARTMANN3_P = [
  [3689, 1170, 2673],
  [4699, 4387, 7470],
  [1091, 8732, 5547],
  [381, 5743, 8828],
].map((row) => row.map((v) => v * 1e-4));

/** Hartmann-3 on [0, 1]³; global minimum −3.86278. */
export const hartmann3: TestFunction = {
  name: 'hartmann3',
  space: floats(3, 0, 1),
  minimum: -3.86278,
  evaluate(p) {
    const x = xs(p, 3);
    let sum = 0;
    for (let i = 0; i < 4; i++) {
      let inner = 0;
      for (let j = 0; j < 3; j++) inner += HARTMANN3_A[i]![j]! * (x[j]! - HARTMANN3_P[i]![j]!) ** 2;
      sum += HARTMANN_ALPHA[i]! * Math.exp(-inner);
    }
    return -sum;
  },
};

/** Rosenbrock in 4 dimensions on [−5, 10]⁴, in log: log(1 + f); minimum 0 at (1, 1, 1, 1). */
export const rosenbrock4: TestFunction = {
  name: 'rosenbrock-4d-log',
  space: floats(4, -5, 10),
  minimum: 0,
  evaluate(p) {
    const x = xs(p, 4);
    let sum = 0;
    for (let i = 0; i < 3; i++) sum += 100 * (x[i + 1]! - x[i]! ** 2) ** 2 + (x[i]! - 1) ** 2;
    return Math.log1p(sum);
  },
};

/** Ackley in 5 dimensions on [−32.768, 32.768]⁵; minimum 0 at the origin. */
export const ackley5: TestFunction = {
  name: 'ackley-5d',
  space: floats(5, -32.768, 32.768),
  minimum: 0,
  evaluate(p) {
    const x = xs(p, 5);
    const sq = x.reduce((a, v) => a + v * v, 0) / 5;
    const cos = x.reduce((a, v) => a + Math.cos(2 * Math.PI * v), 0) / 5;
    return -20 * Math.exp(-0.2 * Math.sqrt(sq)) - Math.exp(cos) + 20 + Math.E;
  },
};

/** Levy in 4 dimensions on [−10, 10]⁴; minimum 0 at (1, 1, 1, 1). */
export const levy4: TestFunction = {
  name: 'levy-4d',
  space: floats(4, -10, 10),
  minimum: 0,
  evaluate(p) {
    const w = xs(p, 4).map((v) => 1 + (v - 1) / 4);
    let sum = Math.sin(Math.PI * w[0]!) ** 2;
    for (let i = 0; i < 3; i++) sum += (w[i]! - 1) ** 2 * (1 + 10 * Math.sin(Math.PI * w[i]! + 1) ** 2);
    return sum + (w[3]! - 1) ** 2 * (1 + Math.sin(2 * Math.PI * w[3]!) ** 2);
  },
};

/** Styblinski–Tang in 4 dimensions on [−5, 5]⁴; minimum −39.16617 per dimension. */
export const styblinskiTang4: TestFunction = {
  name: 'styblinski-tang-4d',
  space: floats(4, -5, 5),
  minimum: -39.16617 * 4,
  evaluate(p) {
    return 0.5 * xs(p, 4).reduce((a, v) => a + v ** 4 - 16 * v * v + 5 * v, 0);
  },
};

const KIND_PENALTY: Readonly<Record<string, number>> = { a: 0.3, b: 0, c: 0.6 };

/**
 * A model-tuning-shaped space: two logarithmic floats, a logarithmic integer and a categorical, each with one
 * best value (learning rate 10^−2.5, regularisation 10^−1, 37 units, kind "b"); minimum 0.
 */
export const mixedSpace: TestFunction = {
  name: 'mixed-log-int-categorical',
  space: {
    learningRate: { type: 'float', min: 1e-5, max: 1, log: true },
    regularization: { type: 'float', min: 1e-4, max: 10, log: true },
    units: { type: 'int', min: 1, max: 256, log: true },
    kind: { type: 'categorical', choices: ['a', 'b', 'c'] },
  },
  minimum: 0,
  evaluate(p) {
    return (
      (Math.log10(num(p, 'learningRate')) + 2.5) ** 2 +
      0.5 * (Math.log10(num(p, 'regularization')) + 1) ** 2 +
      Math.log2(num(p, 'units') / 37) ** 2 / 4 +
      KIND_PENALTY[p.kind as string]!
    );
  },
};

/**
 * Functions for choosing the sampler's defaults, kept apart from TEST_FUNCTIONS (the ones its benchmark
 * reports) so that no default is fitted to the functions it is judged on.
 */
export const DEVELOPMENT_FUNCTIONS: readonly TestFunction[] = [
  sixHumpCamel,
  goldsteinPrice,
  hartmann3,
  rosenbrock4,
  ackley5,
  levy4,
  styblinskiTang4,
  mixedSpace,
];
