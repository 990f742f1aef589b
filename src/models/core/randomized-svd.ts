import { ValidationError } from '../../shared/index.ts';
import { addGramUpper, orthonormalizeColumns } from './cholesky-qr.ts';
import { transpose } from './csr-ops.ts';
import type { CsrMatrix } from './csr.ts';
import { yieldToEventLoop } from './fit-support.ts';
import { requireInt } from './param-checks.ts';
import { Rng } from './rng.ts';
import { symmetricEigen } from './symmetric-eigen.ts';

/** The top `rank` singular triplets' values and right vectors of a sparse matrix A (rows × cols). */
export interface TruncatedSvd {
  readonly rank: number;
  /** Length rank, non-increasing, σ ≥ 0. */
  readonly singularValues: Float64Array;
  /** cols × rank, row-major: column j is the right singular vector of σ_j (unit norm; zero where σ_j = 0 beyond A's rank). */
  readonly rightVectors: Float64Array;
}

export interface RandomizedSvdOptions {
  /** Singular triplets wanted, k ≤ min(rows, cols). */
  readonly rank: number;
  /** Extra random directions p (the sample is k + p wide, clipped to min(rows, cols)). Default 10. */
  readonly oversampling?: number;
  /** Power iterations q: each multiplies the sample by AᵀA once more, sharpening a slowly decaying spectrum. Default 4. */
  readonly powerIterations?: number;
  /** Seed of the Gaussian test matrix; same seed → same result. Default 0. */
  readonly seed?: number;
  readonly signal?: AbortSignal;
}

/**
 * Truncated SVD by the randomized range finder with power iterations (Halko, Martinsson & Tropp, "Finding
 * structure with randomness", SIAM Review 2011, Algorithms 4.4 and 5.1), on the row space of A:
 *
 *   Z ← orth(Aᵀ Ω)            Ω rows × (k + p) Gaussian
 *   q times: Z ← orth(Aᵀ (A Z))   re-orthonormalised after every application of AᵀA, so that the dominant
 *                                 directions never swamp the others in floating point
 *   W = A Z;  WᵀW = P Λ Pᵀ (Jacobi);  σ_j = √λ_j,  V = Z P   (Rayleigh–Ritz: the best rank-k approximation of A
 *                                                              within the sampled row space)
 *
 * A is touched only through sparse × dense products with A and Aᵀ (CSR and its transpose); the dense blocks are
 * (rows or cols) × (k + p) — never rows × cols. orth is CholeskyQR2 (see cholesky-qr.ts). Error bound (Halko et
 * al., Corollary 10.10): E‖A − A V Vᵀ‖ ≤ (1 + …)^{1/(2q+1)} σ_{k+1}, so each power iteration brings the result
 * closer to the exact truncated SVD when the spectrum decays slowly. Throws a ValidationError, before any work,
 * for a rank above min(rows, cols) (the rank of A cannot exceed it). Runs on the calling thread and yields to the
 * event loop between power iterations, so that timers and an abort signal are served during a long fit.
 */
export async function randomizedSvd(a: CsrMatrix, options: RandomizedSvdOptions): Promise<TruncatedSvd> {
  const bound = Math.min(a.rows, a.cols);
  const k = requireInt('SVD rank', options.rank, 1);
  if (k > bound) {
    throw new ValidationError(
      `SVD rank ${k} is above min(rows, cols) = min(${a.rows}, ${a.cols}) = ${bound}, the most a ${a.rows} × ${a.cols} matrix can have`,
    );
  }
  const p = requireInt('SVD oversampling', options.oversampling ?? 10, 0);
  const q = requireInt('SVD powerIterations', options.powerIterations ?? 4, 0, 100);
  const l = Math.min(k + p, bound);
  const { signal } = options;

  const at = transpose(a);
  const rng = new Rng(options.seed ?? 0);
  const omega = new Float64Array(a.rows * l);
  for (let e = 0; e < omega.length; e++) omega[e] = rng.normal();
  const z = new Float64Array(a.cols * l);
  const w = new Float64Array(a.rows * l);
  csrTimesDense(at, omega, l, z);
  orthonormalizeColumns(z, a.cols, l);
  for (let it = 0; it < q; it++) {
    await yieldToEventLoop();
    signal?.throwIfAborted();
    csrTimesDense(a, z, l, w);
    csrTimesDense(at, w, l, z);
    orthonormalizeColumns(z, a.cols, l);
  }
  await yieldToEventLoop();
  signal?.throwIfAborted();
  csrTimesDense(a, z, l, w);
  const gram = new Float64Array(l * l);
  addGramUpper(w, l, 0, a.rows, gram);
  for (let i = 0; i < l; i++) for (let j = 0; j < i; j++) gram[i * l + j] = gram[j * l + i]!;
  const { values, vectors } = symmetricEigen(gram, l);

  const singularValues = new Float64Array(k);
  for (let j = 0; j < k; j++) singularValues[j] = Math.sqrt(Math.max(values[j]!, 0));
  // V = Z P[:, :k], row by row.
  const rightVectors = new Float64Array(a.cols * k);
  for (let i = 0; i < a.cols; i++) {
    const zo = i * l;
    const vo = i * k;
    for (let t = 0; t < l; t++) {
      const zt = z[zo + t]!;
      if (zt === 0) continue;
      const po = t * l;
      for (let j = 0; j < k; j++) rightVectors[vo + j] = rightVectors[vo + j]! + zt * vectors[po + j]!;
    }
  }
  // Directions beyond A's numerical rank (a zero Ritz value) are no singular vectors: report them as zero.
  for (let j = 0; j < k; j++) {
    if (singularValues[j]! > 1e-12 * (singularValues[0]! || 1)) continue;
    singularValues[j] = 0;
    for (let i = 0; i < a.cols; i++) rightVectors[i * k + j] = 0;
  }
  return { rank: k, singularValues, rightVectors };
}

/** out = m · x on this thread: row r of out is Σ_p m_rp · x[col_p, :], an axpy over contiguous rows of x. */
export function csrTimesDense(m: CsrMatrix, x: Float64Array, l: number, out: Float64Array): void {
  csrTimesDenseRows(m, x, l, out, 0, m.rows);
}

/** Rows [r0, r1) of out = m · x (see {@link csrTimesDense}); the unit a worker thread takes. */
export function csrTimesDenseRows(m: CsrMatrix, x: Float64Array, l: number, out: Float64Array, r0: number, r1: number): void {
  const { indptr, indices, data } = m;
  for (let r = r0; r < r1; r++) {
    const o = r * l;
    out.fill(0, o, o + l);
    for (let e = indptr[r]!, end = indptr[r + 1]!; e < end; e++) {
      const v = data[e]!;
      const xo = indices[e]! * l;
      for (let j = 0; j < l; j++) out[o + j] = out[o + j]! + v * x[xo + j]!;
    }
  }
}
