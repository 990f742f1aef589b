/** Eigen-decomposition of a small dense symmetric matrix: values descending, vectors as matching columns. */
export interface SymmetricEigen {
  /** Length n, non-increasing. */
  readonly values: Float64Array;
  /** n × n row-major; column j (entries j, n + j, 2n + j, …) is the unit eigenvector of values[j]. */
  readonly vectors: Float64Array;
}

const MAX_SWEEPS = 60;

/**
 * The cyclic Jacobi method (Golub & Van Loan, "Matrix Computations", 4th ed. 2013, §8.5): plane rotations zero
 * each off-diagonal entry in turn until the off-diagonal mass is negligible against the diagonal. O(n³) per sweep,
 * a handful of sweeps; accurate to float64 rounding, also for clustered or repeated eigenvalues. Meant for the
 * small (a few hundred) projected matrices of the randomized SVD. `a` (n × n row-major, symmetric) is not modified.
 */
export function symmetricEigen(a: Float64Array, n: number): SymmetricEigen {
  const m = a.slice(0, n * n);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < MAX_SWEEPS; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < n; p++) {
      diag += m[p * n + p]! * m[p * n + p]!;
      for (let q = p + 1; q < n; q++) off += m[p * n + q]! * m[p * n + q]!;
    }
    if (off <= 1e-30 * diag || off === 0) break;
    for (let p = 0; p < n - 1; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (apq === 0) continue;
        const app = m[p * n + p]!;
        const aqq = m[q * n + q]!;
        // Skip entries already below rounding next to both diagonal entries.
        if (Math.abs(apq) < 1e-18 * Math.sqrt(Math.abs(app * aqq))) {
          m[p * n + q] = 0;
          m[q * n + p] = 0;
          continue;
        }
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        rotate(m, v, n, p, q, c, s);
      }
    }
  }
  const order = Array.from({ length: n }, (_, j) => j).sort((x, y) => m[y * n + y]! - m[x * n + x]! || x - y);
  const values = new Float64Array(n);
  const vectors = new Float64Array(n * n);
  order.forEach((j, rank) => {
    values[rank] = m[j * n + j]!;
    for (let i = 0; i < n; i++) vectors[i * n + rank] = v[i * n + j]!;
  });
  return { values, vectors };
}

/** m ← Jᵀ m J and v ← v J for the rotation J in plane (p, q) with cosine c and sine s. */
function rotate(m: Float64Array, v: Float64Array, n: number, p: number, q: number, c: number, s: number): void {
  for (let k = 0; k < n; k++) {
    const mkp = m[k * n + p]!;
    const mkq = m[k * n + q]!;
    m[k * n + p] = c * mkp - s * mkq;
    m[k * n + q] = s * mkp + c * mkq;
  }
  for (let k = 0; k < n; k++) {
    const mpk = m[p * n + k]!;
    const mqk = m[q * n + k]!;
    m[p * n + k] = c * mpk - s * mqk;
    m[q * n + k] = s * mpk + c * mqk;
  }
  for (let k = 0; k < n; k++) {
    const vkp = v[k * n + p]!;
    const vkq = v[k * n + q]!;
    v[k * n + p] = c * vkp - s * vkq;
    v[k * n + q] = s * vkp + c * vkq;
  }
}
