/**
 * Orthonormal bases of tall-skinny blocks (many rows, a few hundred columns, row-major float64) without ever
 * touching the block column by column: every pass streams the rows once, as the sparse products do.
 */

/**
 * Relative size below which a Cholesky pivot counts as zero: the column lies in the span of the columns before
 * it (to about 1e-5 of its norm), so it adds no direction.
 */
const DEFICIENT = 1e-11;

/**
 * Largest ratio of R's diagonal entries after which CholeskyQR runs a second pass. Below it, cond(Y) is probably
 * under ~1e3 and one pass is orthonormal to ~1e-10 already; the ratio is only a lower bound on cond(Y), so the
 * threshold is kept low.
 */
const WELL_CONDITIONED = 30;

/** Rows per panel: a panel is transposed once, then every Gram entry gets its whole panel in one dot product. */
const PANEL = 64;

/**
 * g += Σ_r y_rᵀ y_r over rows [r0, r1) of `y` (rows × l, row-major): the upper triangle of the Gram matrix YᵀY
 * (g is l × l row-major; the lower triangle is left alone). Panels of rows are transposed first, so that every
 * entry of g is one contiguous dot product per panel (g is too large for the first cache levels).
 */
export function addGramUpper(y: Float64Array, l: number, r0: number, r1: number, g: Float64Array): void {
  const panel = new Float64Array((l + 1) * PANEL);
  const dots = new Float64Array(4);
  for (let p0 = r0; p0 < r1; p0 += PANEL) {
    const np = Math.min(PANEL, r1 - p0);
    for (let p = 0; p < np; p++) {
      const o = (p0 + p) * l;
      for (let a = 0; a < l; a++) panel[a * PANEL + p] = y[o + a]!;
    }
    // 2 × 2 blocks of entries (a, b), a ≤ b; the row past the last (l) is zero padding for odd l.
    for (let a = 0; a < l; a += 2) {
      for (let b = a; b < l; b += 2) {
        dot2x2(panel, a * PANEL, (a + 1) * PANEL, panel, b * PANEL, (b + 1) * PANEL, np, dots);
        g[a * l + b] = g[a * l + b]! + dots[0]!;
        if (b + 1 < l) g[a * l + b + 1] = g[a * l + b + 1]! + dots[1]!;
        if (a + 1 < l && b > a) g[(a + 1) * l + b] = g[(a + 1) * l + b]! + dots[2]!;
        if (a + 1 < l && b + 1 < l) g[(a + 1) * l + b + 1] = g[(a + 1) * l + b + 1]! + dots[3]!;
      }
    }
  }
}

/**
 * The four dot products over [0, len) of rows starting at x0, x1 of `x` with rows starting at y0, y1 of `y`,
 * into out = [x0·y0, x0·y1, x1·y0, x1·y1]: four independent sums, so the adds do not wait on one another.
 */
function dot2x2(x: Float64Array, x0: number, x1: number, y: Float64Array, y0: number, y1: number, len: number, out: Float64Array): void {
  let s00 = 0;
  let s01 = 0;
  let s10 = 0;
  let s11 = 0;
  for (let p = 0; p < len; p++) {
    const a = x[x0 + p]!;
    const b = x[x1 + p]!;
    const c = y[y0 + p]!;
    const d = y[y1 + p]!;
    s00 += a * c;
    s01 += a * d;
    s10 += b * c;
    s11 += b * d;
  }
  out[0] = s00;
  out[1] = s01;
  out[2] = s10;
  out[3] = s11;
}

/**
 * The inverse of the Cholesky factor R of a Gram matrix G = RᵀR (upper triangle of `g` read), as an upper
 * triangular l × l row-major matrix. A pivot below {@link DEFICIENT} × its diagonal entry marks a column
 * dependent on the earlier ones: its row and column of R⁻¹ are zero, so Y R⁻¹ has a zero column there and the
 * other columns stay orthonormal (the Cholesky factor of the independent columns' Gram alone).
 */
export function choleskyInverse(g: Float64Array, l: number): { inverse: Float64Array; independent: number; diagonalSpread: number } {
  const r = new Float64Array(l * l);
  const alive = new Uint8Array(l);
  let independent = 0;
  for (let j = 0; j < l; j++) {
    let d = g[j * l + j]!;
    for (let i = 0; i < j; i++) d -= r[i * l + j]! * r[i * l + j]!;
    if (!(d > DEFICIENT * g[j * l + j]!) || !(d > 0)) continue;
    alive[j] = 1;
    independent++;
    const rjj = Math.sqrt(d);
    r[j * l + j] = rjj;
    for (let c = j + 1; c < l; c++) {
      let s = g[j * l + c]!;
      for (let i = 0; i < j; i++) s -= r[i * l + j]! * r[i * l + c]!;
      r[j * l + c] = s / rjj;
    }
  }
  // Back substitution for R⁻¹, column by column (upper triangular); dead rows and columns stay zero.
  const inv = new Float64Array(l * l);
  for (let c = 0; c < l; c++) {
    if (!alive[c]) continue;
    inv[c * l + c] = 1 / r[c * l + c]!;
    for (let i = c - 1; i >= 0; i--) {
      if (!alive[i]) continue;
      let s = 0;
      for (let t = i + 1; t <= c; t++) s += r[i * l + t]! * inv[t * l + c]!;
      inv[i * l + c] = -s / r[i * l + i]!;
    }
  }
  let largest = 0;
  let smallest = Infinity;
  for (let j = 0; j < l; j++) {
    if (!alive[j]) continue;
    largest = Math.max(largest, r[j * l + j]!);
    smallest = Math.min(smallest, r[j * l + j]!);
  }
  return { inverse: inv, independent, diagonalSpread: independent > 0 ? largest / smallest : 1 };
}

/**
 * Rows [r0, r1) of y ← y R⁻¹ in place (R⁻¹ upper triangular, l × l): entry (r, b) is the dot product of row r of y
 * with column b of R⁻¹, taken from a transposed copy so that both are contiguous, two rows by two columns at a time.
 */
export function multiplyUpperInPlace(y: Float64Array, l: number, r0: number, r1: number, inverse: Float64Array): void {
  // Columns of R⁻¹ as rows, one zero row past the last for odd l.
  const columns = new Float64Array((l + 1) * l);
  for (let a = 0; a < l; a++) for (let b = a; b < l; b++) columns[b * l + a] = inverse[a * l + b]!;
  const row0 = new Float64Array(l);
  const row1 = new Float64Array(l);
  const dots = new Float64Array(4);
  for (let r = r0; r < r1; r += 2) {
    // The last row of an odd count goes alone (its partner's sums, over row r again, are dropped).
    const pair = r + 1 < r1;
    for (let b = 0; b < l; b += 2) {
      // Column b of R⁻¹ is zero past entry b, column b + 1 past entry b + 1.
      dot2x2(y, r * l, pair ? (r + 1) * l : r * l, columns, b * l, (b + 1) * l, Math.min(b + 2, l), dots);
      row0[b] = dots[0]!;
      if (b + 1 < l) row0[b + 1] = dots[1]!;
      if (pair) {
        row1[b] = dots[2]!;
        if (b + 1 < l) row1[b + 1] = dots[3]!;
      }
    }
    y.set(row0, r * l);
    if (pair) y.set(row1, (r + 1) * l);
  }
}

/**
 * Replaces the columns of `y` (rows × l, row-major) by an orthonormal basis of their span, in place: CholeskyQR2
 * (Fukaya, Nakatsukasa, Yanagisawa & Yamamoto 2014) — Q₁ = Y R₁⁻¹ with R₁ the Cholesky factor of YᵀY, then the
 * same once more on Q₁, which restores orthogonality to rounding for any Y with cond(Y) below about 1e6 (the
 * second pass is skipped when R's diagonal says Y was well conditioned). Columns that depend on earlier ones come
 * out as zero columns. Returns the number of independent columns.
 */
export function orthonormalizeColumns(y: Float64Array, rows: number, l: number): number {
  let independent = 0;
  for (let pass = 0; pass < 2; pass++) {
    const g = new Float64Array(l * l);
    addGramUpper(y, l, 0, rows, g);
    const chol = choleskyInverse(g, l);
    independent = chol.independent;
    multiplyUpperInPlace(y, l, 0, rows, chol.inverse);
    // One pass leaves Q₁ orthonormal to about cond(Y)² · 2⁻⁵³; the diagonal of R bounds cond(Y) from below.
    if (chol.diagonalSpread < WELL_CONDITIONED) break;
  }
  return independent;
}
