/**
 * Inner loops of implicit-feedback ALS (Hu, Koren & Volinsky 2008), on row-major factor tables.
 *
 * For a row u (a user, or an item on the other half-iteration) with confidences c_ui and preferences
 * p_ui (1 for a positive, 0 for a negative), the fixed side's factors Y and G = YᵀY, the new factor is
 *
 *     x_u = argmin Σ_i c_ui (p_ui − x·y_i)² + λ_u‖x‖²   ⇔   A x_u = b,
 *     A = α₀G + λ_u I + Σ_{i∈row} (c_ui − α₀) y_i y_iᵀ,   b = Σ_{i∈row} c_ui p_ui y_i,
 *
 * since every absent pair has c = α₀ (the unobserved weight; 1 in implicit), p = 0 and is already in α₀G
 * (Rendle et al. 2021 write the same objective with α₀ and a frequency-scaled λ_u). A is never formed by the
 * conjugate gradient solver (Takács, Pilászy & Tikk 2011): A·v = (α₀G + λ_u I)v + Σ (c_ui − α₀)(y_i·v) y_i costs
 * O(f² + nnz_u·f) per product. Per non-zero the caller passes `pref` = c·p and `confM1` = c − α₀ (c − 1 when
 * α₀ = 1, hence the name), and `gram` = α₀G.
 *
 * Loops are plain, 4-way blocked over rows (four dot products share one load of v; four axpys share one
 * load/store of the output) and keep scratch vectors in Float64Array: no allocation per row.
 */
import { createSimdCgProducts, type SimdCgProducts } from './simd/cg-products.ts';
import { createSimdGramRows, type SimdGramRows } from './simd/gram-rows.ts';

/** Per-thread scratch, allocated once per fit. */
export interface AlsScratch {
  /** This thread's SIMD kernels for the CG products, when enabled and available; G loaded per half-iteration. */
  readonly simd: SimdCgProducts | undefined;
  /** This thread's SIMD kernel for the solved rows' Gram (addGramRows' sums), when enabled and available. */
  readonly gramRows: SimdGramRows | undefined;
  readonly x: Float64Array;
  readonly r: Float64Array;
  readonly p: Float64Array;
  readonly ap: Float64Array;
  /** f×f system for the exact (Cholesky) solver. */
  readonly a: Float64Array;
}

export function createAlsScratch(factors: number, simd = true): AlsScratch {
  return {
    simd: simd ? createSimdCgProducts(factors) : undefined,
    gramRows: simd ? createSimdGramRows(factors) : undefined,
    x: new Float64Array(factors),
    r: new Float64Array(factors),
    p: new Float64Array(factors),
    ap: new Float64Array(factors),
    a: new Float64Array(factors * factors),
  };
}

/** The non-zeros of one side of the matrix, as the solver consumes them. */
export interface AlsRows {
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  /** c·p per non-zero: the right-hand side's weight. */
  readonly pref: Float32Array;
  /** c − α₀ per non-zero: the correction to α₀G. */
  readonly confM1: Float32Array;
}

/** out = (G + λI)·v for the symmetric f×f `gram` (row-major, both triangles filled). */
export function gramTimes(gram: Float64Array, lambda: number, v: Float64Array, out: Float64Array, f: number): void {
  let j = 0;
  for (; j + 3 < f; j += 4) {
    const g0 = j * f;
    const g1 = g0 + f;
    const g2 = g1 + f;
    const g3 = g2 + f;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    for (let k = 0; k < f; k++) {
      const vk = v[k]!;
      s0 += gram[g0 + k]! * vk;
      s1 += gram[g1 + k]! * vk;
      s2 += gram[g2 + k]! * vk;
      s3 += gram[g3 + k]! * vk;
    }
    out[j] = s0 + lambda * v[j]!;
    out[j + 1] = s1 + lambda * v[j + 1]!;
    out[j + 2] = s2 + lambda * v[j + 2]!;
    out[j + 3] = s3 + lambda * v[j + 3]!;
  }
  for (; j < f; j++) {
    const g0 = j * f;
    let s0 = 0;
    for (let k = 0; k < f; k++) s0 += gram[g0 + k]! * v[k]!;
    out[j] = s0 + lambda * v[j]!;
  }
}

/**
 * out += Σ_{q∈[from,to)} w_q · y_{indices[q]}, with w_q = prefScale·pref[q] + confScale·confM1[q]·(y·v).
 * (prefScale, confScale) = (1, −1) builds the residual b − A·x, (0, 1) the product A·v, (−2, 1) the loss.
 */
export function addRowTerms(
  y: Float32Array,
  f: number,
  rows: AlsRows,
  from: number,
  to: number,
  v: Float64Array,
  prefScale: number,
  confScale: number,
  out: Float64Array,
): void {
  const { indices, pref, confM1 } = rows;
  let q = from;
  for (; q + 3 < to; q += 4) {
    const o0 = indices[q]! * f;
    const o1 = indices[q + 1]! * f;
    const o2 = indices[q + 2]! * f;
    const o3 = indices[q + 3]! * f;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let k = 0; k < f; k++) {
      const vk = v[k]!;
      d0 += y[o0 + k]! * vk;
      d1 += y[o1 + k]! * vk;
      d2 += y[o2 + k]! * vk;
      d3 += y[o3 + k]! * vk;
    }
    const w0 = prefScale * pref[q]! + confScale * confM1[q]! * d0;
    const w1 = prefScale * pref[q + 1]! + confScale * confM1[q + 1]! * d1;
    const w2 = prefScale * pref[q + 2]! + confScale * confM1[q + 2]! * d2;
    const w3 = prefScale * pref[q + 3]! + confScale * confM1[q + 3]! * d3;
    for (let k = 0; k < f; k++) {
      out[k] = out[k]! + w0 * y[o0 + k]! + w1 * y[o1 + k]! + w2 * y[o2 + k]! + w3 * y[o3 + k]!;
    }
  }
  for (; q < to; q++) {
    const o0 = indices[q]! * f;
    let d0 = 0;
    for (let k = 0; k < f; k++) d0 += y[o0 + k]! * v[k]!;
    const w0 = prefScale * pref[q]! + confScale * confM1[q]! * d0;
    for (let k = 0; k < f; k++) out[k] = out[k]! + w0 * y[o0 + k]!;
  }
}

/** Shared inputs of one half-iteration's row solves. */
export interface AlsSolveInput {
  readonly rows: AlsRows;
  /** Factors being solved (row-major, updated in place). */
  readonly target: Float32Array;
  /** The other side's factors, read only. */
  readonly fixed: Float32Array;
  /** α₀ times the Gram matrix of `fixed` (without λ). */
  readonly gram: Float64Array;
  readonly factors: number;
  readonly regularization: number;
  /** Each row's own λ (frequency-scaled regularisation); undefined: `regularization` for every row. */
  readonly rowLambda?: Float64Array | undefined;
  readonly cgSteps: number;
}

const CG_TOLERANCE = 1e-20;

/**
 * Conjugate-gradient update of row u, warm-started from its current factor (as implicit's
 * `least_squares_cg`): r = b − A·x; p = r; then `cgSteps` times
 *     α = rᵀr / pᵀAp;  x += α p;  r −= α Ap;  p = r + (r'ᵀr' / rᵀr) p.
 * Each step minimises the row's quadratic along p, so the objective never increases.
 * An empty row gets the zero factor. Returns false when the factor is not finite.
 */
export function cgSolveRow(input: AlsSolveInput, u: number, scratch: AlsScratch): boolean {
  const { rows, target, fixed, gram, factors: f, cgSteps } = input;
  const lambda = rowRegularization(input, u);
  const { x, r, p, ap, simd } = scratch;
  const from = rows.indptr[u]!;
  const to = rows.indptr[u + 1]!;
  const xo = u * f;
  if (from === to) {
    target.fill(0, xo, xo + f);
    return true;
  }
  for (let k = 0; k < f; k++) x[k] = target[xo + k]!;
  if (simd) {
    simd.gather(rows, from, to, lambda);
    simd.solve(x, cgSteps);
    return storeRow(x, target, xo, f);
  }
  gramTimes(gram, lambda, x, r, f);
  for (let k = 0; k < f; k++) r[k] = -r[k]!;
  addRowTerms(fixed, f, rows, from, to, x, 1, -1, r);
  cgIterate({ x, r, p, ap, factors: f, steps: cgSteps }, (v, out) => {
    gramTimes(gram, lambda, v, out, f);
    addRowTerms(fixed, f, rows, from, to, v, 0, 1, out);
  });
  return storeRow(x, target, xo, f);
}

/**
 * The conjugate-gradient steps of a row solve, from x and its residual r = b − A·x: p = r, then up to `steps` times
 * α = rᵀr / pᵀAp, x += α p, r −= α Ap, p = r + β p, with `product(v, out)` setting out = A·v. Updates x in place.
 * (The SIMD path runs the same steps inside WebAssembly: `SimdCgProducts.solve`.)
 */
export function cgIterate(
  o: { x: Float64Array; r: Float64Array; p: Float64Array; ap: Float64Array; factors: number; steps: number },
  product: (v: Float64Array, out: Float64Array) => void,
): void {
  const { x, r, p, ap, factors: f, steps } = o;
  let rsOld = 0;
  for (let k = 0; k < f; k++) {
    const rk = r[k]!;
    p[k] = rk;
    rsOld += rk * rk;
  }
  if (rsOld < CG_TOLERANCE) return;
  for (let step = 0; step < steps; step++) {
    product(p, ap);
    let pAp = 0;
    for (let k = 0; k < f; k++) pAp += p[k]! * ap[k]!;
    const alpha = rsOld / pAp;
    let rsNew = 0;
    for (let k = 0; k < f; k++) {
      x[k] = x[k]! + alpha * p[k]!;
      const rk = r[k]! - alpha * ap[k]!;
      r[k] = rk;
      rsNew += rk * rk;
    }
    if (rsNew < CG_TOLERANCE) break;
    const beta = rsNew / rsOld;
    for (let k = 0; k < f; k++) p[k] = r[k]! + beta * p[k]!;
    rsOld = rsNew;
  }
}

/** Row u's λ: its own when the regularisation is frequency-scaled, else the one λ. */
export function rowRegularization(input: AlsSolveInput, u: number): number {
  return input.rowLambda ? input.rowLambda[u]! : input.regularization;
}

/**
 * λ·(n_r + α₀·others)^ν per row r of a CSR side with n_r non-zeros (Rendle et al. 2021, eq. for λ_u and λ_i):
 * `others` is the size of the other side (|I| for users, |U| for items).
 */
export function scaledRegularization(
  indptr: Int32Array,
  options: { regularization: number; exponent: number; unobservedWeight: number; others: number },
  out: Float64Array,
): Float64Array {
  const { regularization, exponent, unobservedWeight, others } = options;
  for (let r = 0; r + 1 < indptr.length; r++) out[r] = regularization * Math.pow(indptr[r + 1]! - indptr[r]! + unobservedWeight * others, exponent);
  return out;
}

/** Copies x into target[xo..xo+f) as float32; false when a value is not finite. */
export function storeRow(x: Float64Array, target: Float32Array, xo: number, f: number): boolean {
  let sum = 0;
  for (let k = 0; k < f; k++) {
    const v = Math.fround(x[k]!);
    target[xo + k] = v;
    sum += v;
  }
  // A float64 sum of finite float32 values cannot overflow: a non-finite sum means a non-finite value.
  return Number.isFinite(sum);
}

/**
 * Adds Σ_{u∈[start,end)} x_u x_uᵀ (upper triangle) into `out` at `offset`, four rows per pass so that
 * each load/store of the output serves four rank-one updates.
 */
export function addGramRows(factors: Float32Array, f: number, start: number, end: number, out: Float64Array, offset: number): void {
  let u = start;
  for (; u + 3 < end; u += 4) {
    const o0 = u * f;
    const o1 = o0 + f;
    const o2 = o1 + f;
    const o3 = o2 + f;
    for (let j = 0; j < f; j++) {
      const a0 = factors[o0 + j]!;
      const a1 = factors[o1 + j]!;
      const a2 = factors[o2 + j]!;
      const a3 = factors[o3 + j]!;
      const row = offset + j * f;
      for (let k = j; k < f; k++) {
        out[row + k] = out[row + k]! + a0 * factors[o0 + k]! + a1 * factors[o1 + k]! + a2 * factors[o2 + k]! + a3 * factors[o3 + k]!;
      }
    }
  }
  for (; u < end; u++) {
    const o0 = u * f;
    for (let j = 0; j < f; j++) {
      const a0 = factors[o0 + j]!;
      const row = offset + j * f;
      for (let k = j; k < f; k++) out[row + k] = out[row + k]! + a0 * factors[o0 + k]!;
    }
  }
}

/**
 * Row u's share of implicit's training loss (`calculate_loss`), without the λ terms:
 *     Σ_i c_ui (p_ui − x·y_i)² = xᵀ(G x + Σ_{i∈row} ((c−1)(x·y_i) − 2cp) y_i) + Σ_{i∈row} c p².
 * `scratch.x` must hold nothing of value; the row's factor is read from `input.target`.
 */
export function rowLoss(input: AlsSolveInput, u: number, scratch: AlsScratch): number {
  const { rows, target, fixed, gram, factors: f } = input;
  const { x, r } = scratch;
  const from = rows.indptr[u]!;
  const to = rows.indptr[u + 1]!;
  const xo = u * f;
  for (let k = 0; k < f; k++) x[k] = target[xo + k]!;
  gramTimes(gram, 0, x, r, f);
  addRowTerms(fixed, f, rows, from, to, x, -2, 1, r);
  let loss = 0;
  for (let k = 0; k < f; k++) loss += r[k]! * x[k]!;
  // p ∈ {0, 1}, so c·p² = c·p.
  for (let q = from; q < to; q++) loss += rows.pref[q]!;
  return loss;
}
