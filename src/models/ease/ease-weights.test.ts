import { describe, expect, it } from 'vitest';
import { randomInteractions } from '../core/test-fixtures.ts';
import type { CsrMatrix } from '../core/index.ts';
import { easeWeights } from './ease-weights.ts';

/** B by the definition, in float64: Gauss–Jordan inverse of XᵀX + λI, then B_ij = −P_ij / P_jj, B_jj = 0. */
function naiveEase(matrix: CsrMatrix, lambda: number): Float64Array {
  const n = matrix.cols;
  const a = new Float64Array(n * n);
  for (let u = 0; u < matrix.rows; u++) {
    for (let p = matrix.indptr[u]!; p < matrix.indptr[u + 1]!; p++) {
      for (let q = matrix.indptr[u]!; q < matrix.indptr[u + 1]!; q++) {
        a[matrix.indices[p]! * n + matrix.indices[q]!]! += matrix.data[p]! * matrix.data[q]!;
      }
    }
  }
  for (let i = 0; i < n; i++) a[i * n + i]! += lambda;
  const inv = new Float64Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let c = 0; c < n; c++) {
    const pivot = a[c * n + c]!;
    for (let j = 0; j < n; j++) {
      a[c * n + j]! /= pivot;
      inv[c * n + j]! /= pivot;
    }
    for (let r = 0; r < n; r++) {
      const f = a[r * n + c]!;
      if (r === c || f === 0) continue;
      for (let j = 0; j < n; j++) {
        a[r * n + j]! -= f * a[c * n + j]!;
        inv[r * n + j]! -= f * inv[c * n + j]!;
      }
    }
  }
  const b = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) b[i * n + j] = i === j ? 0 : -inv[i * n + j]! / inv[j * n + j]!;
  return b;
}

function relativeError(actual: Float32Array, expected: Float64Array): number {
  let diff = 0;
  let norm = 0;
  for (let q = 0; q < expected.length; q++) {
    diff = Math.max(diff, Math.abs(actual[q]! - expected[q]!));
    norm = Math.max(norm, Math.abs(expected[q]!));
  }
  return diff / norm;
}

describe('easeWeights', () => {
  it('equals B of a hand-worked 3-item case', async () => {
    // Users {0,1}, {1,2}, {0,1,2}: XᵀX = [[2,2,1],[2,3,2],[1,2,2]]; with λ = 1, P = (XᵀX + I)⁻¹ = adj/det, det = 16.
    const x: CsrMatrix = {
      rows: 3,
      cols: 3,
      indptr: Int32Array.of(0, 2, 4, 7),
      indices: Int32Array.of(0, 1, 1, 2, 0, 1, 2),
      data: new Float32Array(7).fill(1),
    };
    const { weights } = await easeWeights(x, { lambda: 1 });
    // adj = [[8,-4,0],[-4,8,-4],[0,-4,8]] (A = [[3,2,1],[2,4,2],[1,2,3]]): B_ij = −P_ij / P_jj = −adj_ij / adj_jj.
    expect([...weights].map((v) => Math.round(v * 1e6) / 1e6 + 0)).toEqual([0, 0.5, 0, 0.5, 0, 0.5, 0, 0.5, 0]);
  });

  it('matches a float64 reference inverse within 1e-4 relative error, SIMD and scalar, across block edges', async () => {
    for (const [items, lambda] of [
      [13, 5],
      [150, 20],
      [300, 50],
    ] as const) {
      const x = randomInteractions({ users: 4 * items, items, perUser: 12, seed: items });
      const expected = naiveEase(x, lambda);
      const simd = await easeWeights(x, { lambda });
      const scalar = await easeWeights(x, { lambda, simd: false });
      expect(simd.simd).toBe(true);
      expect(scalar.simd).toBe(false);
      expect(relativeError(simd.weights, expected)).toBeLessThan(1e-4);
      expect(relativeError(scalar.weights, expected)).toBeLessThan(1e-4);
      let disagreement = 0;
      for (let q = 0; q < expected.length; q++) disagreement = Math.max(disagreement, Math.abs(simd.weights[q]! - scalar.weights[q]!));
      expect(disagreement).toBeLessThan(1e-5);
      for (let i = 0; i < items; i++) expect(simd.weights[i * items + i]).toBe(0);
    }
  });

  it('gives bit-identical weights on 1 and 3 threads (each element is computed by one thread, in one order)', async () => {
    const x = randomInteractions({ users: 2000, items: 400, perUser: 15, seed: 9 });
    const one = await easeWeights(x, { lambda: 30 });
    const three = await easeWeights(x, { lambda: 30, threads: 3 });
    expect(three.weights).toEqual(one.weights);
  });
});
