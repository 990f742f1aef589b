import type { CsrMatrix } from './csr.ts';
import { boundNorm, type BlockScorer } from './simd/score-block.ts';
import { heapDrain, heapPush, siftDownFromRoot } from './top-k.ts';

/** What {@link blockedTopK} scores: users' rows of a factor table against a block scorer's item table. */
export interface BlockedTopKInput {
  readonly scorer: BlockScorer;
  readonly users: Int32Array;
  readonly userFactors: Float32Array;
  readonly items: number;
  readonly exclude?: CsrMatrix | undefined;
  /** Row width of `out`; at least 1. */
  readonly k: number;
  /** Rows aligned with `users`, written best first and padded with -1 / -Infinity. */
  readonly out: { readonly ids: Int32Array; readonly scores: Float32Array };
  /** false: score every item (no stop on the norm bound), to measure what the stop saves. */
  readonly stop?: boolean;
}

/**
 * Top-k items per user by x_u · y_i (+ b_i), scored a block of users against a tile of items at a time (the
 * item table streams through the cache once per block, as in a matrix product). Each user keeps a size-k
 * min-heap; the kernel reports only blocks of scores where one can enter (its threshold), so nearly every score
 * is rejected in SIMD, and items in the user's row of `exclude` are checked only when a score passes.
 *
 * Items come in decreasing order of their norms (the scorer's order), so a block stops as soon as no item left
 * can enter any of its users' lists: x_u · y_i + b_i ≤ ‖x_u‖ ‖y_i‖ + b_i (Cauchy–Schwarz), bounded by the norm
 * at the next position and the largest bias from there on, with a margin for float32 rounding. Users are blocked
 * in decreasing order of their norms, so that a block's users tend to stop together. The lists are
 * exact: the one {@link selectTopK} gives on the full score row, ties by smaller id. Returns the number of
 * user × item scores computed (users.length × items without the early stop).
 */
export function blockedTopK(input: BlockedTopKInput): number {
  const { scorer, users, userFactors, items, exclude, k, out } = input;
  const B = scorer.maxUsers;
  const T = scorer.tileItems;
  const { thresholds, itemAt, normFrom, biasFrom } = scorer;
  const heapScores = new Float32Array(B * k);
  const heapIds = new Int32Array(B * k);
  // Each user's heap as views, made once (the storage is reused block after block).
  const userScores = Array.from({ length: B }, (_, b) => heapScores.subarray(b * k, (b + 1) * k));
  const userIds = Array.from({ length: B }, (_, b) => heapIds.subarray(b * k, (b + 1) * k));
  const sizes = new Int32Array(B);
  const excluded = new Uint8Array(B * items);
  // Users in decreasing order of their norms: a block's users then tend to stop near the same item.
  const { order, sorted, norms } = byNorm(userFactors, users, scorer.factors);
  let scored = 0;
  for (let q0 = 0; q0 < users.length; q0 += B) {
    const nb = Math.min(B, users.length - q0);
    scorer.loadUsers(userFactors, sorted, q0, nb);
    const userNorms = norms.subarray(q0, q0 + nb);
    sizes.fill(0);
    markExcluded({ exclude, users: sorted, q0, nb, items, excluded, value: 1 });
    // A small first tile (the largest norms) fills the heaps, so that the thresholds reject most later scores in SIMD.
    for (let i0 = 0, width = Math.min(T, 8 * Math.ceil(k / 2)); i0 < items; i0 += width, width = T) {
      const { scores, hits, panels } = scorer.scoreTile(i0, width);
      scored += nb * Math.min(width, items - i0);
      for (let h = 0; h < hits.length; h++) {
        const g = Math.floor(hits[h]! / panels);
        const j0 = (hits[h]! - g * panels) * 8;
        const jEnd = Math.min(j0 + 8, width, items - i0);
        for (let b = 4 * g; b < 4 * g + 4 && b < nb; b++) {
          const row = b * T;
          const seen = b * items;
          const heap = b * k;
          let size = sizes[b]!;
          // While the heap is not full its root is (-Infinity, -1): any finite score enters.
          let rootScore = size === k ? heapScores[heap]! : -Infinity;
          let rootId = size === k ? heapIds[heap]! : -1;
          for (let j = j0; j < jEnd; j++) {
            const s = scores[row + j]!;
            const id = itemAt[i0 + j]!;
            // NaN and -Infinity never pass; an equal score enters with a smaller id (items are not in id order).
            if (!(s > rootScore || (s === rootScore && id < rootId)) || excluded[seen + id] === 1) continue;
            if (size < k) {
              heapPush(userScores[b]!, userIds[b]!, size, s, id);
              size++;
              if (size < k) continue;
            } else {
              siftDownFromRoot(userScores[b]!, userIds[b]!, k, s, id);
            }
            rootScore = heapScores[heap]!;
            rootId = heapIds[heap]!;
          }
          sizes[b] = size;
          // The kernel reports scores strictly above the threshold: one step below the root lets ties through.
          if (size === k) thresholds[b] = below(rootScore);
        }
      }
      if (input.stop !== false && i0 + width < items && blockDone({ next: i0 + width, nb, k, sizes, heapScores, userNorms, normFrom, biasFrom })) break;
    }
    markExcluded({ exclude, users: sorted, q0, nb, items, excluded, value: 0 });
    for (let b = 0; b < nb; b++) {
      heapDrain(userScores[b]!, userIds[b]!, sizes[b]!, { k, ids: out.ids, scores: out.scores, offset: order[q0 + b]! * k });
    }
  }
  return scored;
}

/** Relative margin on the norm bound: a float32 dot product of up to thousands of terms errs by far less. */
const BOUND_MARGIN = 1e-4;

/**
 * Whether no item from position `next` on can enter any full list of the block (a list that is not full can take
 * anything): for every user, ‖x_u‖ · normFrom[next] + biasFrom[next], with the margin, is below its root's score.
 * A NaN or infinite bound never ends the search.
 */
function blockDone(o: {
  next: number;
  nb: number;
  k: number;
  sizes: Int32Array;
  heapScores: Float32Array;
  userNorms: Float64Array;
  normFrom: Float64Array;
  biasFrom: Float64Array;
}): boolean {
  const { next, nb, k, sizes, heapScores, userNorms } = o;
  const norm = o.normFrom[next]!;
  const bias = o.biasFrom[next]!;
  for (let b = 0; b < nb; b++) {
    if (sizes[b]! < k) return false;
    const dot = userNorms[b]! * norm;
    const bound = dot + bias + BOUND_MARGIN * (dot + Math.abs(bias));
    if (!(bound < heapScores[b * k]!)) return false;
  }
  return true;
}

/** The positions of `users` in decreasing order of ‖x_u‖ ({@link boundNorm}; ties by position), the users in that order, and their norms. */
function byNorm(userFactors: Float32Array, users: Int32Array, f: number): { order: Int32Array; sorted: Int32Array; norms: Float64Array } {
  const byPosition = Float64Array.from(users, (u) => boundNorm(userFactors, u * f, f));
  const order = Int32Array.from({ length: users.length }, (_, q) => q).sort((a, b) => byPosition[b]! - byPosition[a]! || a - b);
  const sorted = Int32Array.from(order, (q) => users[q]!);
  const norms = Float64Array.from(order, (q) => byPosition[q]!);
  return { order, sorted, norms };
}

const bits = new Float32Array(1);
const bitsInt = new Int32Array(bits.buffer);

/** The largest float32 below x (x a float32 value, not NaN or -Infinity). */
function below(x: number): number {
  if (x === 0) return -1.401298464324817e-45;
  bits[0] = x;
  bitsInt[0] = x > 0 ? bitsInt[0]! - 1 : bitsInt[0]! + 1;
  return bits[0]!;
}

/** Sets (or clears) `excluded[b · items + i]` for each item i in the exclude row of the block's b-th user. */
function markExcluded(o: {
  exclude: CsrMatrix | undefined;
  users: Int32Array;
  q0: number;
  nb: number;
  items: number;
  excluded: Uint8Array;
  value: number;
}): void {
  const { exclude, users, q0, nb, items, excluded, value } = o;
  if (!exclude) return;
  const { indptr, indices } = exclude;
  for (let b = 0; b < nb; b++) {
    const u = users[q0 + b]!;
    if (u >= exclude.rows) continue;
    for (let p = indptr[u]!, end = indptr[u + 1]!; p < end; p++) {
      const i = indices[p]!;
      if (i < items) excluded[b * items + i] = value;
    }
  }
}
