import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/rng.ts';
import { addRowTerms, cgIterate, gramTimes, type AlsRows } from '../als-kernels.ts';
import { createSimdCgProducts } from './cg-products.ts';

function symmetric(f: number, rng: Rng): Float64Array {
  const g = new Float64Array(f * f);
  for (let j = 0; j < f; j++) for (let k = j; k < f; k++) g[j * f + k] = g[k * f + j] = rng.normal();
  return g;
}

/** Largest difference relative to the largest magnitude of `expected`. */
function relativeError(actual: Float64Array, expected: Float64Array): number {
  const scale = Math.max(...expected.map(Math.abs));
  return Math.max(...actual.map((a, k) => Math.abs(a - expected[k]!))) / scale;
}

describe('SIMD conjugate-gradient products', () => {
  it('computes (G + λI)·v, b − A·v and A·v as the scalar float64 code does, to float32 precision', () => {
    const rng = new Rng(7);
    for (const f of [4, 8, 64, 100]) {
      const kernel = createSimdCgProducts(f)!;
      expect(kernel, `f = ${f}`).toBeDefined();
      const items = 50;
      const fixed = Float32Array.from({ length: items * f }, () => rng.normal() * 0.3);
      // Two rows; the second has more non-zeros than the kernel's initial room, so its memory grows.
      const lengths = [3, 1500];
      const indptr = Int32Array.of(0, lengths[0]!, lengths[0]! + lengths[1]!);
      const nnz = indptr[2]!;
      const rows: AlsRows = {
        indptr,
        indices: Int32Array.from({ length: nnz }, () => rng.nextInt(items)),
        pref: Float32Array.from({ length: nnz }, () => 1 + rng.nextInt(10)),
        confM1: Float32Array.from({ length: nnz }, () => rng.nextInt(10)),
      };
      for (let round = 0; round < 2; round++) {
        const gram = symmetric(f, rng);
        const lambda = 0.1 + round;
        kernel.load(gram, lambda, fixed);
        const v = Float64Array.from({ length: f }, () => rng.normal());
        const expectedG = new Float64Array(f);
        gramTimes(gram, lambda, v, expectedG, f);
        const actualG = new Float64Array(f);
        kernel.gramTimes(v, actualG);
        expect(relativeError(actualG, expectedG)).toBeLessThan(1e-5);
        for (const row of [0, 1]) {
          const from = indptr[row]!;
          const to = indptr[row + 1]!;
          kernel.gather(rows, from, to, lambda);
          const expectedA = Float64Array.from(expectedG);
          addRowTerms(fixed, f, rows, from, to, v, 0, 1, expectedA);
          const actualA = new Float64Array(f);
          kernel.product(v, actualA);
          expect(relativeError(actualA, expectedA), `A·v, f = ${f}, row ${row}`).toBeLessThan(1e-5);
          const expectedR = expectedG.map((g) => -g);
          addRowTerms(fixed, f, rows, from, to, v, 1, -1, expectedR);
          const actualR = new Float64Array(f);
          kernel.residual(v, actualR);
          expect(relativeError(actualR, expectedR), `b − A·v, f = ${f}, row ${row}`).toBeLessThan(1e-5);
        }
      }
    }
  });

  it('solves a row in WebAssembly to the bit as the same steps driven from JavaScript through its products', () => {
    const rng = new Rng(11);
    for (const f of [4, 64]) {
      const kernel = createSimdCgProducts(f)!;
      const items = 80;
      const fixed = Float32Array.from({ length: items * f }, () => rng.normal() * 0.3);
      // A positive definite G (a Gram matrix plus the row terms' weights keep A positive definite).
      const basis = Float32Array.from({ length: 3 * f * f }, () => rng.normal());
      const gram = new Float64Array(f * f);
      for (let q = 0; q < 3 * f; q++)
        for (let j = 0; j < f; j++) for (let k = 0; k < f; k++) gram[j * f + k] = gram[j * f + k]! + basis[q * f + j]! * basis[q * f + k]!;
      const nnz = 40;
      const rows: AlsRows = {
        indptr: Int32Array.of(0, nnz),
        indices: Int32Array.from({ length: nnz }, () => rng.nextInt(items)),
        pref: Float32Array.from({ length: nnz }, () => 1),
        confM1: Float32Array.from({ length: nnz }, () => rng.nextInt(40)),
      };
      kernel.load(gram, 0.5, fixed);
      for (const steps of [0, 1, 3, 8]) {
        const start = Float64Array.from({ length: f }, () => Math.fround(rng.normal() * 0.1));
        kernel.gather(rows, 0, nnz, 0.5);
        // cgSolveRow's JavaScript steps, with the kernel's two products.
        const x = Float64Array.from(start);
        const r = new Float64Array(f);
        kernel.residual(x, r);
        cgIterate({ x, r, p: new Float64Array(f), ap: new Float64Array(f), factors: f, steps }, (v, out) => kernel.product(v, out));
        const solved = Float64Array.from(start);
        kernel.solve(solved, steps);
        expect(solved, `f = ${f}, ${steps} steps`).toEqual(x);
        if (steps > 0) expect(solved).not.toEqual(start);
      }
    }
  });

  it('is not offered when the factor count is not a multiple of 4', () => {
    expect(createSimdCgProducts(6)).toBeUndefined();
    expect(createSimdCgProducts(0)).toBeUndefined();
  });

  it('embeds exactly what cg-products.wat compiles to', () => {
    const script = fileURLToPath(new URL('../../../../scripts/build-wasm.mjs', import.meta.url));
    expect(() => execFileSync(process.execPath, [script, '--check'], { stdio: 'pipe' })).not.toThrow();
  });
});
