import { ModelFitError } from '../../shared/index.ts';
import { abortError } from '../core/param-checks.ts';
import type { GemmRunner } from './gemm-runner.ts';
import type { DenseWorkspace, GemmArgs } from './simd/gemm-update.ts';

/** Block size of the factorisation: the diagonal blocks are factored and inverted in float64 scalar code. */
const NB = 128;
/** Tiles of one kernel call: a KC × JC slice of W (128 KiB) stays in L2 while rows of A stream past it. */
const KC = 256;
const JC = 128;

/** Floats of workspace an order-`n` inverse needs: the matrix, two NB × n panels and one NB × NB block. */
export function spdInverseWorkspaceFloats(n: number): number {
  return n * n + 2 * NB * n + NB * NB;
}

/**
 * Inverts the symmetric positive-definite n × n matrix whose lower triangle is at `heap[0, n²)` (row-major;
 * the upper triangle is ignored), in place: afterwards the full symmetric inverse is there. n must be a
 * multiple of 8 (pad with identity rows). Three blocked, right-looking passes, each nearly all of its work in
 * one kernel C += alpha·A·W (see gemm-update.wat), as LAPACK's potrf, trtri and lauum:
 *
 * 1. Cholesky A = L·Lᵀ (n³/3 flops): per block column, factor the diagonal block, solve the panel below it
 *    (P ← P·L_kk⁻ᵀ), and subtract the panel's outer product from the trailing lower triangle (SYRK-like).
 * 2. X = L⁻¹ (n³/3 flops), row block by row block: X_i,<i = −L_ii⁻¹ · (L_i,<i · X_<i,<i).
 * 3. A⁻¹ = Xᵀ·X (n³/3 flops), row block by row block: P_i,≤i = Σ_{k≥i} X_kiᵀ · X_k,≤i.
 *
 * Hence n³ flops in all. Storage and kernel accumulation are float32; the diagonal blocks (factor and
 * triangular inverse) are computed in float64. Throws a ModelFitError if a pivot is not positive (the matrix
 * is not numerically positive definite) and an AbortError between blocks when `signal` fires.
 */
export async function invertSpdInPlace(ws: DenseWorkspace, runner: GemmRunner, n: number, signal?: AbortSignal): Promise<void> {
  if (n % 8 !== 0) throw new RangeError(`invertSpdInPlace: n must be a multiple of 8, got ${n}`);
  const between = async (): Promise<void> => {
    if (!signal) return;
    await new Promise((resolve) => setImmediate(resolve));
    if (signal.aborted) throw abortError('EASE fit', signal);
  };
  await cholesky(ws, runner, n);
  await between();
  zeroUpper(ws.heap, n);
  await lowerInverse(ws, runner, n);
  await between();
  await gramOfLower(ws, runner, n);
  symmetrize(ws.heap, n);
}

async function cholesky(ws: DenseWorkspace, runner: GemmRunner, n: number): Promise<void> {
  const { heap } = ws;
  const s1 = n * n;
  const d = s1 + 2 * NB * n;
  for (let k0 = 0; k0 < n; k0 += NB) {
    const kb = Math.min(NB, n - k0);
    const block = choleskyBlock(heap, k0 * n + k0, n, kb);
    const r0 = k0 + kb;
    const rest = n - r0;
    if (rest === 0) break;
    // Panel: P ← P·L_kk⁻ᵀ, as P_copy · W with W[k][j] = (L_kk⁻¹)[j][k].
    const inv = lowerTriangularInverse(block, kb);
    for (let k = 0; k < kb; k++) for (let j = 0; j < kb; j++) heap[d + k * kb + j] = inv[j * kb + k]!;
    for (let r = 0; r < rest; r++) {
      const at = (r0 + r) * n + k0;
      heap.copyWithin(s1 + r * kb, at, at + kb);
      heap.fill(0, at, at + kb);
    }
    await runner.run(tiles({ c: r0 * n + k0, ldc: n, a: s1, lda: kb, w: d, ldw: kb, m: rest, kk: kb, wc: kb, alpha: 1 }));
    // Trailing update of the lower triangle: A_ij −= L_ik·L_jkᵀ, with the panel transposed into W.
    for (let k = 0; k < kb; k++) for (let j = 0; j < rest; j++) heap[s1 + k * rest + j] = heap[(r0 + j) * n + k0 + k]!;
    const trailing: GemmArgs[] = [];
    for (let jc = r0; jc < n; jc += JC) {
      const width = Math.min(JC, n - jc);
      trailing.push(...tiles({ c: jc * n + jc, ldc: n, a: jc * n + k0, lda: n, w: s1 + (jc - r0), ldw: rest, m: n - jc, kk: kb, wc: width, alpha: -1 }));
    }
    await runner.run(trailing);
  }
}

async function lowerInverse(ws: DenseWorkspace, runner: GemmRunner, n: number): Promise<void> {
  const { heap } = ws;
  const s1 = n * n;
  const d = s1 + 2 * NB * n;
  for (let i0 = 0; i0 < n; i0 += NB) {
    const kb = Math.min(NB, n - i0);
    const block = new Float64Array(kb * kb);
    for (let r = 0; r < kb; r++) for (let c = 0; c <= r; c++) block[r * kb + c] = heap[(i0 + r) * n + i0 + c]!;
    const inv = lowerTriangularInverse(block, kb);
    if (i0 > 0) {
      // Y = L_i,<i · X_<i,<i (X lower triangular: column tile jt needs rows k ≥ jt only).
      heap.fill(0, s1, s1 + kb * i0);
      const products: GemmArgs[] = [];
      for (let jt = 0; jt < i0; jt += JC) {
        const width = Math.min(JC, i0 - jt);
        products.push(...tiles({ c: s1 + jt, ldc: i0, a: i0 * n + jt, lda: n, w: jt * n + jt, ldw: n, m: kb, kk: i0 - jt, wc: width, alpha: 1 }));
      }
      await runner.run(products);
      for (let r = 0; r < kb; r++) for (let c = 0; c < kb; c++) heap[d + r * kb + c] = inv[r * kb + c]!;
      for (let r = 0; r < kb; r++) heap.fill(0, (i0 + r) * n, (i0 + r) * n + i0);
      await runner.run(tiles({ c: i0 * n, ldc: n, a: d, lda: kb, w: s1, ldw: i0, m: kb, kk: kb, wc: i0, alpha: -1 }));
    }
    for (let r = 0; r < kb; r++) for (let c = 0; c < kb; c++) heap[(i0 + r) * n + i0 + c] = inv[r * kb + c]!;
  }
}

async function gramOfLower(ws: DenseWorkspace, runner: GemmRunner, n: number): Promise<void> {
  const { heap } = ws;
  const s1 = n * n;
  const s3 = s1 + NB * n;
  for (let i0 = 0; i0 < n; i0 += NB) {
    const kb = Math.min(NB, n - i0);
    const rows = n - i0;
    const width = i0 + kb;
    for (let r = 0; r < kb; r++) for (let q = 0; q < rows; q++) heap[s1 + r * rows + q] = heap[(i0 + q) * n + i0 + r]!;
    heap.fill(0, s3, s3 + kb * width);
    await runner.run(tiles({ c: s3, ldc: width, a: s1, lda: rows, w: i0 * n, ldw: n, m: kb, kk: rows, wc: width, alpha: 1 }));
    for (let r = 0; r < kb; r++) heap.copyWithin((i0 + r) * n, s3 + r * width, s3 + (r + 1) * width);
  }
}

/**
 * One update as kernel calls over KC × JC tiles of W, in order of k within each column tile: the calls that add
 * into the same elements of C stay in one list in a fixed order, whatever rows each thread then takes.
 */
function tiles(g: GemmArgs): GemmArgs[] {
  const out: GemmArgs[] = [];
  for (let j0 = 0; j0 < g.wc; j0 += JC) {
    const wc = Math.min(JC, g.wc - j0);
    for (let k0 = 0; k0 < g.kk; k0 += KC) out.push({ ...g, c: g.c + j0, a: g.a + k0, w: g.w + k0 * g.ldw + j0, kk: Math.min(KC, g.kk - k0), wc });
  }
  return out;
}

/** Cholesky factor (float64, lower, row-major kb × kb) of the diagonal block at `at`, also written back there. */
function choleskyBlock(heap: Float32Array, at: number, ld: number, kb: number): Float64Array {
  const l = new Float64Array(kb * kb);
  for (let i = 0; i < kb; i++) {
    for (let j = 0; j <= i; j++) {
      let s = heap[at + i * ld + j]!;
      for (let k = 0; k < j; k++) s -= l[i * kb + k]! * l[j * kb + k]!;
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) {
          throw new ModelFitError(`EASE: the regularised Gram matrix is not numerically positive definite (pivot ${s}); use a larger lambda`);
        }
        l[i * kb + i] = Math.sqrt(s);
      } else {
        l[i * kb + j] = s / l[j * kb + j]!;
      }
    }
  }
  for (let i = 0; i < kb; i++) for (let j = 0; j <= i; j++) heap[at + i * ld + j] = l[i * kb + j]!;
  return l;
}

/** The inverse of a lower-triangular kb × kb matrix (float64, row-major; zeros above the diagonal). */
function lowerTriangularInverse(l: Float64Array, kb: number): Float64Array {
  const x = new Float64Array(kb * kb);
  for (let j = 0; j < kb; j++) {
    x[j * kb + j] = 1 / l[j * kb + j]!;
    for (let i = j + 1; i < kb; i++) {
      let s = 0;
      for (let k = j; k < i; k++) s += l[i * kb + k]! * x[k * kb + j]!;
      x[i * kb + j] = -s / l[i * kb + i]!;
    }
  }
  return x;
}

function zeroUpper(heap: Float32Array, n: number): void {
  for (let i = 0; i < n; i++) heap.fill(0, i * n + i + 1, (i + 1) * n);
}

/** Copies the lower triangle onto the upper one, in 64 × 64 tiles. */
function symmetrize(heap: Float32Array, n: number): void {
  const T = 64;
  for (let i0 = 0; i0 < n; i0 += T) {
    for (let j0 = 0; j0 <= i0; j0 += T) {
      for (let i = i0; i < Math.min(i0 + T, n); i++) {
        for (let j = j0; j < Math.min(j0 + T, i); j++) heap[j * n + i] = heap[i * n + j]!;
      }
    }
  }
}
