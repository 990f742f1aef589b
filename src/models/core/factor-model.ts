import { blockedTopK } from './blocked-top-k.ts';
import { blockScorerFor } from './simd/score-block.ts';
import { itemScorerFor } from './simd/score-items.ts';
import { candidateIds, checkIds, topKWidth } from './recommend-args.ts';
import type { CsrMatrix } from './csr.ts';
import type { ModelArtifact, ModelKind, RecommendOptions, TopK } from './recommender.ts';
import { allocateTopK, selectTopK } from './top-k.ts';
import { ValidationError } from '../../shared/index.ts';

/** The fitted state of a latent-factor model: score(u, i) = x_u · y_i (+ b_i). Row-major tables. */
export interface FactorTables {
  readonly users: number;
  readonly items: number;
  readonly factors: number;
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  /** Per-item additive bias (BPR); absent for ALS. */
  readonly itemBias?: Float32Array;
}

/** x · y_i (+ b_i) for one 4-way unrolled row. */
function score(user: Float32Array, uo: number, itemFactors: Float32Array, io: number, f: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let k = 0;
  for (; k + 3 < f; k += 4) {
    s0 += user[uo + k]! * itemFactors[io + k]!;
    s1 += user[uo + k + 1]! * itemFactors[io + k + 1]!;
    s2 += user[uo + k + 2]! * itemFactors[io + k + 2]!;
    s3 += user[uo + k + 3]! * itemFactors[io + k + 3]!;
  }
  for (; k < f; k++) s0 += user[uo + k]! * itemFactors[io + k]!;
  return s0 + s1 + s2 + s3;
}

/**
 * Top-k items per user by x_u · y_i (+ b_i). Items in the user's row of `exclude` score −∞ (never
 * returned); with `candidates`, only those items are scored. Rows of fewer than k items pad with −1.
 */
export function recommendFromFactors(model: FactorTables, users: Int32Array, options: RecommendOptions): TopK {
  const { exclude } = options;
  const { factors: f, items, userFactors, itemFactors, itemBias } = model;
  const k = topKWidth(options.k, items, 'recommend');
  checkIds(users, model.users, 'user');
  const candidates = options.candidates && candidateIds(options.candidates, items);
  const out = allocateTopK(users.length, k);
  if (k === 0) return out;
  if (candidates) {
    const scores = new Float32Array(items);
    for (let q = 0; q < users.length; q++) {
      const u = users[q]!;
      for (let c = 0; c < candidates.length; c++) {
        const i = candidates[c]!;
        scores[i] = score(userFactors, u * f, itemFactors, i * f, f) + (itemBias ? itemBias[i]! : 0);
      }
      if (exclude && u < exclude.rows) excludeRow(exclude, u, scores);
      selectTopK(scores, k, out.ids, out.scores, q * k, candidates);
    }
    return out;
  }
  // Many users (recommending for everyone, evaluating): blocks of users against tiles of items in SIMD.
  const blocked = users.length > 1 ? blockScorerFor(itemFactors, items, f, itemBias) : undefined;
  if (blocked) {
    blockedTopK({ scorer: blocked, users, userFactors, items, exclude, k, out });
    return out;
  }
  // One user (serving), with SIMD (WebAssembly, four lanes): about 4x faster than the JavaScript blocks below.
  const simd = itemScorerFor(itemFactors, items, f);
  // Without: eight users at a time, each item vector read once for eight dot products, so the item table
  // streams through the cache an eighth as often (scoring the whole catalogue is memory-bound).
  const block = new Float32Array((simd ? 1 : Math.min(USER_BLOCK, users.length)) * items);
  const rows = simd ? 1 : USER_BLOCK;
  for (let q0 = 0; q0 < users.length; q0 += rows) {
    const nb = Math.min(rows, users.length - q0);
    if (simd) simd.score(userFactors, users[q0]! * f, block, 0);
    else if (nb === USER_BLOCK) scoreUserBlock(userFactors, users, q0, itemFactors, items, f, block);
    else for (let b = 0; b < nb; b++) scoreOneUser(userFactors, users[q0 + b]! * f, itemFactors, items, f, block, b * items);
    for (let b = 0; b < nb; b++) {
      const scores = block.subarray(b * items, (b + 1) * items);
      if (itemBias) for (let i = 0; i < items; i++) scores[i] = scores[i]! + itemBias[i]!;
      const u = users[q0 + b]!;
      if (exclude && u < exclude.rows) excludeRow(exclude, u, scores);
      selectTopK(scores, k, out.ids, out.scores, (q0 + b) * k);
    }
  }
  return out;
}

const USER_BLOCK = 8;

function scoreOneUser(userFactors: Float32Array, uo: number, itemFactors: Float32Array, items: number, f: number, out: Float32Array, offset: number): void {
  for (let i = 0; i < items; i++) out[offset + i] = score(userFactors, uo, itemFactors, i * f, f);
}

/** x_u · y_i for eight users and every item, into `out` rows of length `items`. */
function scoreUserBlock(U: Float32Array, users: Int32Array, q0: number, Y: Float32Array, items: number, f: number, out: Float32Array): void {
  const o0 = users[q0]! * f;
  const o1 = users[q0 + 1]! * f;
  const o2 = users[q0 + 2]! * f;
  const o3 = users[q0 + 3]! * f;
  const o4 = users[q0 + 4]! * f;
  const o5 = users[q0 + 5]! * f;
  const o6 = users[q0 + 6]! * f;
  const o7 = users[q0 + 7]! * f;
  for (let i = 0, io = 0; i < items; i++, io += f) {
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let s4 = 0;
    let s5 = 0;
    let s6 = 0;
    let s7 = 0;
    for (let k = 0; k < f; k++) {
      const y = Y[io + k]!;
      s0 += U[o0 + k]! * y;
      s1 += U[o1 + k]! * y;
      s2 += U[o2 + k]! * y;
      s3 += U[o3 + k]! * y;
      s4 += U[o4 + k]! * y;
      s5 += U[o5 + k]! * y;
      s6 += U[o6 + k]! * y;
      s7 += U[o7 + k]! * y;
    }
    out[i] = s0;
    out[items + i] = s1;
    out[2 * items + i] = s2;
    out[3 * items + i] = s3;
    out[4 * items + i] = s4;
    out[5 * items + i] = s5;
    out[6 * items + i] = s6;
    out[7 * items + i] = s7;
  }
}

function excludeRow(exclude: CsrMatrix, u: number, scores: Float32Array): void {
  const { indptr, indices } = exclude;
  for (let p = indptr[u]!, end = indptr[u + 1]!; p < end; p++) {
    const i = indices[p]!;
    if (i < scores.length) scores[i] = -Infinity;
  }
}

/** ‖y_i‖ per row of a factor table. */
export function rowNorms(table: Float32Array, rows: number, f: number): Float32Array {
  const norms = new Float32Array(rows);
  for (let i = 0; i < rows; i++) norms[i] = Math.sqrt(score(table, i * f, table, i * f, f));
  return norms;
}

/**
 * Top-k most similar items per query item by cosine of the factors, the item itself excluded.
 * A zero factor (an item never seen in training) has similarity 0 to everything.
 */
export function similarItemsFromFactors(model: FactorTables, norms: Float32Array, queryItems: Int32Array, requested: number): TopK {
  const { factors: f, items, itemFactors } = model;
  const k = topKWidth(requested, items - 1, 'similarItems');
  checkIds(queryItems, items, 'item');
  const out = allocateTopK(queryItems.length, k);
  if (k === 0) return out;
  const scores = new Float32Array(items);
  for (let q = 0; q < queryItems.length; q++) {
    const j = queryItems[q]!;
    const jo = j * f;
    const nj = norms[j]!;
    for (let i = 0; i < items; i++) {
      const denom = nj * norms[i]!;
      scores[i] = denom > 0 ? score(itemFactors, jo, itemFactors, i * f, f) / denom : 0;
    }
    scores[j] = -Infinity;
    selectTopK(scores, k, out.ids, out.scores, q * k);
  }
  return out;
}

/**
 * Checks an artifact's header and buffers before a model adopts them: kind, version, and that every
 * named Float32Array buffer has exactly rows × cols elements as its shape says. Returns the shapes.
 */
export function checkFactorArtifact(
  artifact: ModelArtifact,
  expected: { readonly kind: ModelKind; readonly version: number; readonly buffers: readonly string[] },
): Record<string, readonly [number, number]> {
  const { header, buffers } = artifact;
  const what = `${expected.kind} artifact`;
  if (header.kind !== expected.kind) throw new ValidationError(`${what}: header kind is '${String(header.kind)}', expected '${expected.kind}'`);
  if (header.version !== expected.version) {
    throw new ValidationError(`${what}: unsupported version ${String(header.version)} (this build reads version ${expected.version})`);
  }
  const shapes: Record<string, readonly [number, number]> = {};
  for (const name of expected.buffers) {
    const shape = header.shapes[name];
    const buffer = buffers[name];
    if (!shape || shape.length < 1 || shape.length > 2 || !shape.every((d) => Number.isInteger(d) && d >= 0)) {
      throw new ValidationError(`${what}: shape of '${name}' must be [rows, cols] or [rows] of non-negative integers, got ${JSON.stringify(shape)}`);
    }
    if (!(buffer instanceof Float32Array)) throw new ValidationError(`${what}: buffer '${name}' is missing or not a Float32Array`);
    const rows = shape[0]!;
    const cols = shape.length === 2 ? shape[1]! : 1;
    if (buffer.length !== rows * cols) {
      throw new ValidationError(`${what}: buffer '${name}' has ${buffer.length} values but its shape ${JSON.stringify(shape)} needs ${rows * cols}`);
    }
    shapes[name] = [rows, cols];
  }
  return shapes;
}
