import type { CsrMatrix } from '../core/index.ts';
import { createGemmRunner } from './gemm-runner.ts';
import { createDenseWorkspace } from './simd/gemm-update.ts';
import { invertSpdInPlace, spdInverseWorkspaceFloats } from './spd-inverse.ts';

export interface EaseWeightsOptions {
  /** λ, added to the Gram matrix's diagonal. */
  readonly lambda: number;
  /** Use the WebAssembly SIMD kernel where available (default true); false runs the scalar twin. */
  readonly simd?: boolean;
  /** Threads for the inverse's updates (default 1; more only with SIMD, whose workspace can be shared). */
  readonly threads?: number;
  readonly signal?: AbortSignal;
}

export interface EaseWeights {
  /** B, items × items row-major float32: B[i·n + j] is item i's weight in item j's score; zero diagonal. */
  readonly weights: Float32Array;
  /** Seconds spent on XᵀX, and on inverting it (Cholesky, triangular inverse, LᵀL product). */
  readonly gramSeconds: number;
  readonly inverseSeconds: number;
  /** Whether the inverse ran the WebAssembly SIMD kernel. */
  readonly simd: boolean;
}

/**
 * EASE's closed-form item-item weights (Steck 2019, "Embarrassingly Shallow Autoencoders for Sparse Data",
 * eq. 8): with P = (XᵀX + λI)⁻¹,
 *
 *   B = I − P · diag(1 / diag(P)),  i.e.  B_ij = −P_ij / P_jj for i ≠ j, B_jj = 0,
 *
 * the minimiser of ‖X − XB‖² + λ‖B‖² under diag(B) = 0. X is `matrix` (users × items, its values as given).
 * Dense in the items: a workspace of about n² + 256·n floats (n rounded up to a multiple of 8) plus the n² result.
 */
export async function easeWeights(matrix: CsrMatrix, options: EaseWeightsOptions): Promise<EaseWeights> {
  const items = matrix.cols;
  const n = Math.max(8, Math.ceil(items / 8) * 8);
  const ws = createDenseWorkspace(spdInverseWorkspaceFloats(n), options.simd === false ? { simd: false } : {});
  const heap = ws.heap;
  const started = performance.now();
  gramLowerInto(heap, matrix, n);
  for (let i = 0; i < n; i++) heap[i * n + i] = i < items ? heap[i * n + i]! + options.lambda : 1;
  const gramDone = performance.now();
  const runner = createGemmRunner(ws, options.threads ?? 1);
  try {
    await invertSpdInPlace(ws, runner, n, options.signal);
  } finally {
    await runner.close();
  }
  const inverted = performance.now();
  const weights = new Float32Array(items * items);
  const scale = new Float64Array(items);
  for (let j = 0; j < items; j++) scale[j] = -1 / heap[j * n + j]!;
  for (let i = 0; i < items; i++) {
    const from = i * n;
    const to = i * items;
    for (let j = 0; j < items; j++) weights[to + j] = heap[from + j]! * scale[j]!;
    weights[to + i] = 0;
  }
  return { weights, gramSeconds: (gramDone - started) / 1000, inverseSeconds: (inverted - gramDone) / 1000, simd: ws.simd };
}

/**
 * The lower triangle of XᵀX into `heap` (row-major, row stride `n`, zeroed beforehand): every user's row adds
 * x_ua·x_ub at (a, b) for each pair of its items with b ≤ a. Costs Σ_u nnz_u²/2 multiply-adds, float32.
 */
export function gramLowerInto(heap: Float32Array, matrix: CsrMatrix, n: number): void {
  const { indptr, indices, data } = matrix;
  for (let u = 0; u < matrix.rows; u++) {
    const start = indptr[u]!;
    const end = indptr[u + 1]!;
    for (let p = start; p < end; p++) {
      const row = indices[p]! * n;
      const x = data[p]!;
      for (let q = start; q <= p; q++) heap[row + indices[q]!] = heap[row + indices[q]!]! + x * data[q]!;
    }
  }
}
