import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import { orthonormalizeColumns } from './cholesky-qr.ts';
import { csrFromCoo } from './csr-ops.ts';
import type { CsrMatrix } from './csr.ts';
import { randomizedSvd } from './randomized-svd.ts';
import { Rng } from './rng.ts';
import { symmetricEigen } from './symmetric-eigen.ts';

/** A dense rows × cols matrix (row-major) as CSR, zeros left out. */
function toCsr(a: Float64Array, rows: number, cols: number): CsrMatrix {
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < cols; j++) {
      if (a[i * cols + j] === 0) continue;
      r.push(i);
      c.push(j);
      v.push(a[i * cols + j]!);
    }
  }
  return csrFromCoo({ rows, cols, rowIdx: Int32Array.from(r), colIdx: Int32Array.from(c), values: Float32Array.from(v) });
}

/** The CSR's values back as a dense float64 matrix (what the SVD actually sees, after float32 storage). */
function dense(m: CsrMatrix): Float64Array {
  const a = new Float64Array(m.rows * m.cols);
  for (let r = 0; r < m.rows; r++) for (let e = m.indptr[r]!; e < m.indptr[r + 1]!; e++) a[r * m.cols + m.indices[e]!] = m.data[e]!;
  return a;
}

/**
 * The naive reference: one-sided Jacobi (Hestenes 1958) on the columns of A, rotating pairs until all are
 * orthogonal; singular values are the final column norms, V the accumulated rotations. Sorted descending.
 */
function naiveSvd(a0: Float64Array, rows: number, cols: number): { values: number[]; v: number[][] } {
  const a = a0.slice();
  const v: number[][] = Array.from({ length: cols }, (_, i) => Array.from({ length: cols }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let rotated = false;
    for (let p = 0; p < cols - 1; p++) {
      for (let q = p + 1; q < cols; q++) {
        let alpha = 0;
        let beta = 0;
        let gamma = 0;
        for (let i = 0; i < rows; i++) {
          alpha += a[i * cols + p]! ** 2;
          beta += a[i * cols + q]! ** 2;
          gamma += a[i * cols + p]! * a[i * cols + q]!;
        }
        if (Math.abs(gamma) <= 1e-15 * Math.sqrt(alpha * beta) || gamma === 0) continue;
        rotated = true;
        const zeta = (beta - alpha) / (2 * gamma);
        const t = Math.sign(zeta || 1) / (Math.abs(zeta) + Math.sqrt(1 + zeta * zeta));
        const c = 1 / Math.sqrt(1 + t * t);
        const s = c * t;
        for (let i = 0; i < rows; i++) {
          const x = a[i * cols + p]!;
          const y = a[i * cols + q]!;
          a[i * cols + p] = c * x - s * y;
          a[i * cols + q] = s * x + c * y;
        }
        for (let i = 0; i < cols; i++) {
          const x = v[i]![p]!;
          const y = v[i]![q]!;
          v[i]![p] = c * x - s * y;
          v[i]![q] = s * x + c * y;
        }
      }
    }
    if (!rotated) break;
  }
  const norms = Array.from({ length: cols }, (_, j) => Math.sqrt(Array.from({ length: rows }, (_, i) => a[i * cols + j]! ** 2).reduce((x, y) => x + y, 0)));
  const order = norms.map((_, j) => j).sort((x, y) => norms[y]! - norms[x]!);
  return { values: order.map((j) => norms[j]!), v: order.map((j) => v.map((row) => row[j]!)) };
}

/** Σ_j ‖V_trueᵀ v̂_j‖²: k when the k computed vectors span exactly the true top-k subspace (cos² of the principal angles summed). */
function capturedEnergy(trueVectors: number[][], computed: Float64Array, cols: number, k: number): number {
  let total = 0;
  for (let j = 0; j < k; j++) {
    for (const t of trueVectors.slice(0, k)) {
      let dot = 0;
      for (let i = 0; i < cols; i++) dot += t[i]! * computed[i * k + j]!;
      total += dot * dot;
    }
  }
  return total;
}

/** rows × cols with singular values `spectrum` and random singular vectors (orthonormalised Gaussians). */
function withSpectrum(rows: number, cols: number, spectrum: (j: number) => number, seed: number): CsrMatrix {
  const rng = new Rng(seed);
  const n = Math.min(rows, cols);
  const u = Float64Array.from({ length: rows * n }, () => rng.normal());
  const v = Float64Array.from({ length: cols * n }, () => rng.normal());
  orthonormalizeColumns(u, rows, n);
  orthonormalizeColumns(v, cols, n);
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++) for (let t = 0; t < n; t++) a[i * cols + j] = a[i * cols + j]! + u[i * n + t]! * spectrum(t) * v[j * n + t]!;
  return toCsr(a, rows, cols);
}

/** A sparse random 0/1 matrix with skewed column popularity, like interaction data. */
function sparseRandom(rows: number, cols: number, density: number, seed: number): CsrMatrix {
  const rng = new Rng(seed);
  const a = new Float64Array(rows * cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (rng.next() < density * (1.5 - j / cols)) a[i * cols + j] = 1;
  return toCsr(a, rows, cols);
}

describe('randomizedSvd', () => {
  it('matches a naive dense SVD on a sparse 0/1 matrix: singular values and the subspace of the vectors', async () => {
    const m = sparseRandom(60, 40, 0.15, 3);
    const exact = naiveSvd(dense(m), m.rows, m.cols);
    const k = 6;
    const svd = await randomizedSvd(m, { rank: k, powerIterations: 10, seed: 1 });
    for (let j = 0; j < k; j++) expect(Math.abs(svd.singularValues[j]! - exact.values[j]!) / exact.values[j]!).toBeLessThan(1e-6);
    expect(capturedEnergy(exact.v, svd.rightVectors, m.cols, k)).toBeGreaterThan(k - 1e-4);
    // Unit, mutually orthogonal vectors.
    for (let a = 0; a < k; a++) {
      for (let b = a; b < k; b++) {
        let dot = 0;
        for (let i = 0; i < m.cols; i++) dot += svd.rightVectors[i * k + a]! * svd.rightVectors[i * k + b]!;
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 10);
      }
    }
  });

  it('is exact to rounding when the sample spans the whole row space (k + p ≥ min(rows, cols))', async () => {
    const m = withSpectrum(30, 12, (j) => 10 / (j + 1), 5);
    const exact = naiveSvd(dense(m), m.rows, m.cols);
    const svd = await randomizedSvd(m, { rank: 12, oversampling: 0, powerIterations: 0 });
    for (let j = 0; j < 12; j++) expect(svd.singularValues[j]).toBeCloseTo(exact.values[j]!, 5);
  });

  it('gets closer to the exact SVD with power iterations on a slowly decaying spectrum', async () => {
    const m = withSpectrum(150, 120, (j) => 1 / Math.pow(j + 1, 0.2), 7);
    const exact = naiveSvd(dense(m), m.rows, m.cols);
    const k = 10;
    const error = async (powerIterations: number) => {
      const svd = await randomizedSvd(m, { rank: k, oversampling: 5, powerIterations, seed: 2 });
      let relative = 0;
      for (let j = 0; j < k; j++) relative += Math.abs(svd.singularValues[j]! - exact.values[j]!) / exact.values[j]!;
      return { relative, missing: k - capturedEnergy(exact.v, svd.rightVectors, m.cols, k) };
    };
    const none = await error(0);
    const some = await error(3);
    const many = await error(12);
    expect(some.relative).toBeLessThan(none.relative / 2);
    expect(many.relative).toBeLessThan(some.relative);
    expect(some.missing).toBeLessThan(none.missing / 2);
    expect(many.missing).toBeLessThan(some.missing);
  });

  it('reports directions beyond the rank of A as zero values with zero vectors', async () => {
    const m = withSpectrum(20, 15, (j) => (j < 3 ? 3 - j : 0), 9);
    const svd = await randomizedSvd(m, { rank: 5, powerIterations: 2 });
    expect([...svd.singularValues.subarray(0, 3)].map((s) => Math.round(s * 1e5) / 1e5)).toEqual([3, 2, 1]);
    expect([...svd.singularValues.subarray(3)]).toEqual([0, 0]);
    for (let i = 0; i < m.cols; i++) expect([svd.rightVectors[i * 5 + 3], svd.rightVectors[i * 5 + 4]]).toEqual([0, 0]);
  });

  it('gives the same result for the same seed', async () => {
    const m = sparseRandom(40, 30, 0.2, 4);
    const a = await randomizedSvd(m, { rank: 4, seed: 3 });
    const b = await randomizedSvd(m, { rank: 4, seed: 3 });
    expect(a).toEqual(b);
  });

  it('refuses a rank above min(rows, cols) before any work, and a rank below 1', async () => {
    const m = sparseRandom(10, 8, 0.3, 1);
    await expect(randomizedSvd(m, { rank: 9 })).rejects.toThrow(ValidationError);
    await expect(randomizedSvd(m, { rank: 9 })).rejects.toThrow(/rank 9 is above min\(rows, cols\) = min\(10, 8\) = 8/);
    await expect(randomizedSvd(m, { rank: 0 })).rejects.toThrow(/SVD rank must be an integer/);
  });
});

describe('orthonormalizeColumns and symmetricEigen', () => {
  it('orthonormalises a block in place, keeping its span; a dependent column becomes zero', () => {
    const rng = new Rng(1);
    const rows = 50;
    const l = 4;
    const y = Float64Array.from({ length: rows * l }, () => rng.normal());
    for (let r = 0; r < rows; r++) y[r * l + 2] = 2 * y[r * l]! - y[r * l + 1]!; // column 2 = 2·c0 − c1
    const original = y.slice();
    expect(orthonormalizeColumns(y, rows, l)).toBe(3);
    for (const [a, b, want] of [
      [0, 0, 1],
      [1, 1, 1],
      [3, 3, 1],
      [0, 1, 0],
      [0, 3, 0],
      [1, 3, 0],
      [2, 2, 0],
    ] as const) {
      let dot = 0;
      for (let r = 0; r < rows; r++) dot += y[r * l + a]! * y[r * l + b]!;
      expect(dot).toBeCloseTo(want, 12);
    }
    // Column 3 of the input is in the span of the output's columns 0, 1, 3.
    let residual = 0;
    const coef = [0, 1, 3].map((c) => Array.from({ length: rows }, (_, r) => original[r * l + 3]! * y[r * l + c]!).reduce((s, x) => s + x, 0));
    for (let r = 0; r < rows; r++) residual += (original[r * l + 3]! - coef[0]! * y[r * l]! - coef[1]! * y[r * l + 1]! - coef[2]! * y[r * l + 3]!) ** 2;
    expect(residual).toBeLessThan(1e-20);
  });

  it('finds the eigenpairs of a symmetric matrix, largest first', () => {
    // [[2, 1, 0], [1, 2, 0], [0, 0, 5]]: eigenvalues 5, 3, 1 with vectors e3, (1, 1)/√2, (1, −1)/√2.
    const { values, vectors } = symmetricEigen(Float64Array.of(2, 1, 0, 1, 2, 0, 0, 0, 5), 3);
    expect([...values].map((x) => Math.round(x * 1e12) / 1e12)).toEqual([5, 3, 1]);
    const column = (j: number) => [0, 1, 2].map((i) => Math.abs(vectors[i * 3 + j]!));
    expect(column(0)).toEqual([0, 0, 1]);
    column(1).forEach((x, i) => expect(x).toBeCloseTo(i < 2 ? Math.SQRT1_2 : 0, 12));
    column(2).forEach((x, i) => expect(x).toBeCloseTo(i < 2 ? Math.SQRT1_2 : 0, 12));
  });
});
