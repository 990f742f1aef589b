import { rowRegularization, storeRow, type AlsRows, type AlsScratch, type AlsSolveInput } from './als-kernels.ts';

/*
 * The exact ALS row solve (`solver: 'cholesky'`, and fold-in of new users): the same system as the
 * conjugate-gradient solver (see als-kernels.ts), A = α₀G + λ_u I + Σ (c − α₀) y yᵀ, b = Σ c p y, formed
 * explicitly and factorised.
 */

/**
 * Exact solve of A x = b for one row: builds A (lower triangle) and b, then Cholesky A = LLᵀ and two
 * triangular solves, O(nnz·f² + f³). Writes x into `scratch.x`. Returns false when A is not positive
 * definite (only possible without regularisation) or x is not finite.
 */
export function choleskySolve(
  rows: AlsRows,
  from: number,
  to: number,
  fixed: Float32Array,
  gram: Float64Array,
  lambda: number,
  f: number,
  scratch: AlsScratch,
): boolean {
  const { a, x } = scratch;
  a.set(gram);
  for (let j = 0; j < f; j++) a[j * f + j] = a[j * f + j]! + lambda;
  x.fill(0);
  const { indices, pref, confM1 } = rows;
  for (let q = from; q < to; q++) {
    const o = indices[q]! * f;
    const c = pref[q]!;
    const w = confM1[q]!;
    for (let j = 0; j < f; j++) {
      const yj = fixed[o + j]!;
      x[j] = x[j]! + c * yj;
      const wj = w * yj;
      const row = j * f;
      for (let k = 0; k <= j; k++) a[row + k] = a[row + k]! + wj * fixed[o + k]!;
    }
  }
  // Cholesky–Banachiewicz on the lower triangle, in place.
  for (let i = 0; i < f; i++) {
    const ri = i * f;
    for (let j = 0; j <= i; j++) {
      const rj = j * f;
      let s = a[ri + j]!;
      for (let k = 0; k < j; k++) s -= a[ri + k]! * a[rj + k]!;
      if (i === j) {
        if (!(s > 0)) return false;
        a[ri + i] = Math.sqrt(s);
      } else {
        a[ri + j] = s / a[rj + j]!;
      }
    }
  }
  // L z = b (z overwrites x), then Lᵀ x = z.
  for (let i = 0; i < f; i++) {
    const ri = i * f;
    let s = x[i]!;
    for (let k = 0; k < i; k++) s -= a[ri + k]! * x[k]!;
    x[i] = s / a[ri + i]!;
  }
  for (let i = f - 1; i >= 0; i--) {
    let s = x[i]!;
    for (let k = i + 1; k < f; k++) s -= a[k * f + i]! * x[k]!;
    x[i] = s / a[i * f + i]!;
  }
  let sum = 0;
  for (let k = 0; k < f; k++) sum += x[k]!;
  return Number.isFinite(sum);
}

/** Exact update of row u (the `solver: 'cholesky'` option). */
export function choleskySolveRow(input: AlsSolveInput, u: number, scratch: AlsScratch): boolean {
  const { rows, target, fixed, gram, factors: f } = input;
  const from = rows.indptr[u]!;
  const to = rows.indptr[u + 1]!;
  const xo = u * f;
  if (from === to) {
    target.fill(0, xo, xo + f);
    return true;
  }
  if (!choleskySolve(rows, from, to, fixed, gram, rowRegularization(input, u), f, scratch)) return false;
  return storeRow(scratch.x, target, xo, f);
}
