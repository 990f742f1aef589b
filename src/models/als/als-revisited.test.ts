import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/index.ts';
import { csrRow } from '../core/csr-ops.ts';
import type { CsrMatrix } from '../core/csr.ts';
import { randomInteractions } from '../core/test-fixtures.ts';
import { AlsRecommender } from './als-recommender.ts';
import { alsDefaults, type AlsParams } from './als-params.ts';
import { trainAls } from './als-trainer.ts';

// The frequency-scaled regularisation and the unobserved weight α₀ of iALS revisited (Rendle et al. 2021).

/** FNV-1a over the bytes of a float32 table: a fingerprint of the exact bits. */
function fingerprint(a: Float32Array): string {
  let h = 0x811c9dc5;
  for (const x of new Uint8Array(a.buffer, a.byteOffset, a.byteLength)) h = Math.imul(h ^ x, 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

describe('ALS with ν = 0 and α₀ = 1 (the defaults)', () => {
  // Fingerprints of user factors, item factors and a fold-in factor, recorded with the ALS that had neither
  // parameter (one λ for every row, absent pairs weighing 1): the defaults must keep every bit.
  const cases = [
    { name: 'small, 1 thread', matrix: () => randomInteractions({ users: 50, items: 30, perUser: 6, seed: 9 }), threads: 1 },
    { name: 'medium, 2 threads', matrix: () => randomInteractions({ users: 2500, items: 300, perUser: 10, seed: 5 }), threads: 2 },
  ];
  const recorded: Record<string, Record<string, [string, string, string]>> = {
    'small, 1 thread': {
      'cg simd': ['311ebbed', '8feeb9e2', '10a34e93'],
      'cg scalar': ['0dfe1597', 'a5168daa', '42c2e02d'],
      cholesky: ['d28119ae', '8a759edc', '0ff0a5df'],
    },
    'medium, 2 threads': {
      'cg simd': ['908877dd', '740455c8', '0c398abb'],
      'cg scalar': ['309a4ed2', 'bda8a42d', 'b2ae8003'],
      cholesky: ['b284d4b9', 'd2cd18da', '4c06eef4'],
    },
  };
  const variants = [
    { name: 'cg simd', solver: 'cg', simd: true },
    { name: 'cg scalar', solver: 'cg', simd: false },
    { name: 'cholesky', solver: 'cholesky', simd: false },
  ] as const;
  for (const c of cases) {
    it.each(variants)(`fits bit-identical factors to the ALS before them (${c.name}, %o)`, async ({ name, solver, simd }) => {
      const matrix = c.matrix();
      for (const extra of [{}, { regExponent: 0, unobservedWeight: 1 }]) {
        const model = new AlsRecommender({ factors: 8, iterations: 3, regularization: 0.1, alpha: 5, solver, ...extra });
        await model.fit(matrix, { seed: 5, threads: c.threads, simd });
        const folded = model.foldIn({ items: Int32Array.of(1, 4, 7), values: Float32Array.of(1, 2, 1) });
        expect([fingerprint(model.userFactors!), fingerprint(model.itemFactors!), fingerprint(folded)]).toEqual(recorded[c.name]![name]);
      }
    });
  }
});

/** Solves A x = b (A symmetric positive definite, n × n row-major) by Gaussian elimination in float64. */
function solveDense(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    for (let r = i + 1; r < n; r++) {
      const t = m[r * n + i]! / m[i * n + i]!;
      for (let c = i; c < n; c++) m[r * n + c] = m[r * n + c]! - t * m[i * n + c]!;
      x[r] = x[r]! - t * x[i]!;
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let c = i + 1; c < n; c++) s -= m[i * n + c]! * x[c]!;
    x[i] = s / m[i * n + i]!;
  }
  return x;
}

/**
 * The naive iALS row solve, over every column of a dense row: weight c = alpha·r on a non-zero (p = 1) and α₀ on
 * every absent pair (p = 0), λ_r = λ·(n_r + α₀·columns)^ν. Returns argmin Σ_j w_j (p_j − x·y_j)² + λ_r‖x‖².
 */
function naiveRowSolve(row: { indices: Int32Array; data: Float32Array }, fixed: Float32Array, columns: number, p: AlsParams): Float64Array {
  const f = p.factors;
  const value = new Map<number, number>();
  row.indices.forEach((j, q) => value.set(j, row.data[q]!));
  const lambda = p.regularization * Math.pow(row.indices.length + p.unobservedWeight * columns, p.regExponent);
  const a = new Float64Array(f * f);
  const b = new Float64Array(f);
  for (let j = 0; j < columns; j++) {
    const r = value.get(j);
    const w = r === undefined ? p.unobservedWeight : p.alpha * r;
    const pref = r === undefined ? 0 : 1;
    for (let s = 0; s < f; s++) {
      b[s] = b[s]! + w * pref * fixed[j * f + s]!;
      for (let t = 0; t < f; t++) a[s * f + t] = a[s * f + t]! + w * fixed[j * f + s]! * fixed[j * f + t]!;
    }
  }
  for (let s = 0; s < f; s++) a[s * f + s] = a[s * f + s]! + lambda;
  return solveDense(a, b, f);
}

/** The largest |x − expected| over rows, relative to the largest |expected|. */
function relativeGap(actual: Float32Array, expected: Float64Array[], f: number): number {
  let gap = 0;
  let scale = 0;
  expected.forEach((e, r) => {
    for (let s = 0; s < f; s++) {
      gap = Math.max(gap, Math.abs(actual[r * f + s]! - e[s]!));
      scale = Math.max(scale, Math.abs(e[s]!));
    }
  });
  return gap / scale;
}

function transposeRows(m: CsrMatrix): { indices: Int32Array; data: Float32Array }[] {
  const rows: { indices: number[]; data: number[] }[] = Array.from({ length: m.cols }, () => ({ indices: [], data: [] }));
  for (let u = 0; u < m.rows; u++) {
    const row = csrRow(m, u);
    row.indices.forEach((i, q) => {
      rows[i]!.indices.push(u);
      rows[i]!.data.push(row.data[q]!);
    });
  }
  return rows.map((r) => ({ indices: Int32Array.from(r.indices), data: Float32Array.from(r.data) }));
}

describe('ALS with frequency-scaled λ and an unobserved weight α₀', () => {
  const base = randomInteractions({ users: 24, items: 12, perUser: 4, seed: 21 });
  // Values 1 and 2, so that the confidence alpha·r varies.
  const matrix: CsrMatrix = { ...base, data: Float32Array.from(base.data, (_, q) => 1 + (q % 2)) };
  const params: AlsParams = { ...alsDefaults, factors: 4, regularization: 0.02, alpha: 3, iterations: 1, regExponent: 1, unobservedWeight: 0.3 };
  const seed = 8;
  /** The item factors before the first iteration: implicit's initialisation, users drawn first. */
  const initialItems = (): Float32Array => {
    const rng = new Rng(seed);
    for (let q = 0; q < matrix.rows * params.factors; q++) rng.next();
    return Float32Array.from({ length: matrix.cols * params.factors }, () => rng.next() * 0.01);
  };

  it.each([
    { solver: 'cholesky', simd: false, cgSteps: 3 },
    { solver: 'cg', simd: false, cgSteps: 8 },
    { solver: 'cg', simd: true, cgSteps: 8 },
  ] as const)('solves every row as a naive dense solve with λ_r and α₀ does (%o)', async ({ solver, simd, cgSteps }) => {
    const p = { ...params, solver, cgSteps };
    const { userFactors, itemFactors } = await trainAls(matrix, p, { seed, threads: 1, simd });
    const y0 = initialItems();
    const users = Array.from({ length: matrix.rows }, (_, u) => naiveRowSolve(csrRow(matrix, u), y0, matrix.cols, p));
    expect(relativeGap(userFactors, users, p.factors)).toBeLessThan(2e-4);
    const items = transposeRows(matrix).map((row) => naiveRowSolve(row, userFactors, matrix.rows, p));
    expect(relativeGap(itemFactors, items, p.factors)).toBeLessThan(2e-4);
    // The scaling matters: the same fit with one λ and α₀ = 1 lands elsewhere.
    const plain = { ...p, regExponent: 0, unobservedWeight: 1 };
    const unscaled = Array.from({ length: matrix.rows }, (_, u) => naiveRowSolve(csrRow(matrix, u), y0, matrix.cols, plain));
    expect(relativeGap(userFactors, unscaled, p.factors)).toBeGreaterThan(0.05);
  });

  it('folds a new user in with their own λ and α₀, as the naive solve against the fitted items', async () => {
    const model = new AlsRecommender({ ...params, iterations: 4 });
    await model.fit(matrix, { seed, threads: 1 });
    const history = { items: Int32Array.of(2, 5, 9), data: Float32Array.of(1, 2, 1) };
    const folded = model.foldIn({ items: history.items, values: history.data });
    const expected = naiveRowSolve({ indices: history.items, data: history.data }, model.itemFactors!, matrix.cols, model.params);
    expect(relativeGap(folded, [expected], params.factors)).toBeLessThan(1e-5);
  });

  it('still decreases its (weighted) objective every iteration', async () => {
    const seen: number[] = [];
    const model = new AlsRecommender({ ...params, factors: 8, iterations: 8, regularization: 0.005, solver: 'cholesky' });
    await model.fit(randomInteractions({ users: 200, items: 60, perUser: 8, seed: 3 }), { seed, computeLoss: true, onEpoch: (r) => void seen.push(r.loss!) });
    for (let t = 1; t < seen.length; t++) expect(seen[t]!).toBeLessThanOrEqual(seen[t - 1]! * (1 + 1e-6));
    expect(seen.at(-1)!).toBeLessThan(seen[0]!);
  });

  it('fits the same bits with 1 and 2 threads (the per-row λ shared with the workers)', async () => {
    const medium = randomInteractions({ users: 2500, items: 300, perUser: 10, seed: 5 });
    const fit = async (threads: number): Promise<AlsRecommender> => {
      const model = new AlsRecommender({ ...params, factors: 8, iterations: 2 });
      await model.fit(medium, { seed, threads });
      return model;
    };
    const [one, two] = await Promise.all([fit(1), fit(2)]);
    expect(two.userFactors).toEqual(one.userFactors);
    expect(two.itemFactors).toEqual(one.itemFactors);
  });

  it('refuses a negative ν or α₀', () => {
    expect(() => new AlsRecommender({ regExponent: -1 })).toThrow(/ALS regExponent must be a number in \[0, 4\]/);
    expect(() => new AlsRecommender({ unobservedWeight: -0.5 })).toThrow(/ALS unobservedWeight must be a number in \[0/);
  });
});
