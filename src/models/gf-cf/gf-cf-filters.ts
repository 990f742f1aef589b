import { transpose, type CsrMatrix } from '../core/index.ts';
import type { GfCfValues } from './gf-cf-params.ts';
import { LowPassBlockScorer, USER_BLOCK } from './low-pass-block.ts';

/**
 * The two graph filters of GF-CF (Shen et al., "How Powerful is Graph Convolution for Recommendation?", CIKM
 * 2021, Eq. 10 and the authors' code): for a user's interaction row r (1 × items),
 *
 *   s = r · R̃ᵀR̃  +  α · r · D_I^{-1/2} V_k V_kᵀ D_I^{1/2}
 *
 * with R̃ = D_U^{-1/2} R D_I^{-1/2} the degree-normalised interaction matrix (D_U, D_I its row and column sums)
 * and V_k its top-k right singular vectors: the linear filter R̃ᵀR̃ and the ideal low-pass filter. r enters
 * un-normalised, as in the paper. A user or item of degree 0 has a zero row or column in R̃ (D^{-1/2} read as 0)
 * and scores 0 from the low-pass term.
 *
 * R̃ᵀR̃ (items × items, dense at tens of thousands of items) is never formed: r R̃ᵀ R̃ is two sparse products,
 * first over the users who share an item with r, then over those users' items.
 */
export interface GfCfFilters {
  readonly users: number;
  readonly items: number;
  readonly rank: number;
  readonly alpha: number;
  readonly values: GfCfValues;
  /** R̃, users × items. */
  readonly normalized: CsrMatrix;
  /** R̃ᵀ, items × users. */
  readonly normalizedT: CsrMatrix;
  /** items × rank: d_i^{-1/2} · v_i, which takes r into the rank-k space. */
  readonly foldTable: Float32Array;
  /** items × rank: d_i^{1/2} · v_i, which takes it back to item scores. */
  readonly scoreTable: Float32Array;
}

/** The matrix the filters see: every value 1 for 'binary', the values as given for 'weighted'. */
export function filterInput(m: CsrMatrix, values: GfCfValues): CsrMatrix {
  return values === 'binary' ? { ...m, data: new Float32Array(m.data.length).fill(1) } : m;
}

/** R̃ = D_U^{-1/2} R D_I^{-1/2} (sums of values as degrees, a degree of 0 giving a zero row or column) and D_I. */
export function normalizeBothSides(r: CsrMatrix): { normalized: CsrMatrix; itemDegrees: Float64Array } {
  const itemDegrees = new Float64Array(r.cols);
  for (let e = 0; e < r.indices.length; e++) itemDegrees[r.indices[e]!] = itemDegrees[r.indices[e]!]! + r.data[e]!;
  const data = new Float32Array(r.data.length);
  for (let u = 0; u < r.rows; u++) {
    let du = 0;
    for (let e = r.indptr[u]!; e < r.indptr[u + 1]!; e++) du += r.data[e]!;
    const su = inverseSqrt(du);
    for (let e = r.indptr[u]!; e < r.indptr[u + 1]!; e++) data[e] = r.data[e]! * su * inverseSqrt(itemDegrees[r.indices[e]!]!);
  }
  return { normalized: { rows: r.rows, cols: r.cols, indptr: r.indptr, indices: r.indices, data }, itemDegrees };
}

/** The filters of a training matrix (already through {@link filterInput}) and its top right singular vectors (items × rank). */
export function buildFilters(options: { input: CsrMatrix; vectors: Float32Array; rank: number; alpha: number; values: GfCfValues }): GfCfFilters {
  const { input, vectors, rank, alpha, values } = options;
  const { normalized, itemDegrees } = normalizeBothSides(input);
  const foldTable = new Float32Array(input.cols * rank);
  const scoreTable = new Float32Array(input.cols * rank);
  for (let i = 0; i < input.cols; i++) {
    const d = itemDegrees[i]!;
    const down = inverseSqrt(d);
    const up = d > 0 ? Math.sqrt(d) : 0;
    for (let j = 0; j < rank; j++) {
      foldTable[i * rank + j] = vectors[i * rank + j]! * down;
      scoreTable[i * rank + j] = vectors[i * rank + j]! * up;
    }
  }
  return { users: input.rows, items: input.cols, rank, alpha, values, normalized, normalizedT: transpose(normalized), foldTable, scoreTable };
}

/** One interaction row: item ids and their values (a CSR row). */
export interface InteractionRow {
  readonly indices: Int32Array;
  readonly data: Float32Array;
}

/** Scores interaction rows through the filters, up to {@link USER_BLOCK} at a time; holds scratch, so one per thread. */
export class FilterScorer {
  readonly #f: GfCfFilters;
  readonly #userWeight: Float64Array;
  readonly #stamp: Int32Array;
  readonly #touched: Int32Array;
  readonly #linear: Float64Array;
  readonly #x: Float32Array;
  readonly #block: LowPassBlockScorer | undefined;
  #generation = 0;

  constructor(filters: GfCfFilters) {
    this.#f = filters;
    this.#userWeight = new Float64Array(filters.users);
    this.#stamp = new Int32Array(filters.users);
    this.#touched = new Int32Array(filters.users);
    this.#linear = new Float64Array(filters.items);
    this.#x = new Float32Array(USER_BLOCK * filters.rank);
    this.#block = LowPassBlockScorer.create(filters.scoreTable, filters.items, filters.rank);
  }

  /**
   * out[b·items .. (b+1)·items) = the filters' scores of row b, for b < count ≤ USER_BLOCK; values as the filters
   * take them (see {@link filterInput}), a repeated item counting as the sum of its values. Ids must be in range.
   */
  scoreBlock(count: number, rowOf: (b: number) => InteractionRow, out: Float32Array): void {
    const { items, rank, alpha, foldTable, scoreTable } = this.#f;
    const binary = this.#f.values === 'binary';
    // Ideal low-pass filter: x_b = α · r_b D_I^{-1/2} V_k (rank k), then x_b · d_j^{1/2} v_j for every item j.
    if (alpha === 0) out.fill(0, 0, count * items);
    else {
      const x = this.#x;
      x.fill(0, 0, count * rank);
      for (let b = 0; b < count; b++) {
        const row = rowOf(b);
        for (let a = 0; a < row.indices.length; a++) {
          const w = alpha * (binary ? 1 : row.data[a]!);
          const o = row.indices[a]! * rank;
          for (let j = 0; j < rank; j++) x[b * rank + j] = x[b * rank + j]! + w * foldTable[o + j]!;
        }
      }
      if (this.#block) this.#block.score(x, count, out);
      else {
        for (let b = 0; b < count; b++) {
          for (let i = 0; i < items; i++) {
            let dot = 0;
            for (let j = 0; j < rank; j++) dot += x[b * rank + j]! * scoreTable[i * rank + j]!;
            out[b * items + i] = dot;
          }
        }
      }
    }
    for (let b = 0; b < count; b++) {
      const s = this.#linearFilter(rowOf(b), binary);
      const o = b * items;
      for (let i = 0; i < items; i++) out[o + i] = out[o + i]! + s[i]!;
    }
  }

  /** r R̃ᵀR̃ as t = R̃ rᵀ over the users sharing an item with r, then s = tᵀ R̃ (into scratch, valid until the next call). */
  #linearFilter(row: InteractionRow, binary: boolean): Float64Array {
    const { normalized, normalizedT } = this.#f;
    const stamp = ++this.#generation;
    let count = 0;
    const t = this.#userWeight;
    for (let a = 0; a < row.indices.length; a++) {
      const i = row.indices[a]!;
      const x = binary ? 1 : row.data[a]!;
      for (let e = normalizedT.indptr[i]!, end = normalizedT.indptr[i + 1]!; e < end; e++) {
        const v = normalizedT.indices[e]!;
        if (this.#stamp[v] !== stamp) {
          this.#stamp[v] = stamp;
          this.#touched[count++] = v;
          t[v] = 0;
        }
        t[v] = t[v]! + x * normalizedT.data[e]!;
      }
    }
    const s = this.#linear;
    s.fill(0);
    for (let c = 0; c < count; c++) {
      const v = this.#touched[c]!;
      const tv = t[v]!;
      for (let e = normalized.indptr[v]!, end = normalized.indptr[v + 1]!; e < end; e++)
        s[normalized.indices[e]!] = s[normalized.indices[e]!]! + tv * normalized.data[e]!;
    }
    return s;
  }
}

function inverseSqrt(d: number): number {
  return d > 0 ? 1 / Math.sqrt(d) : 0;
}
