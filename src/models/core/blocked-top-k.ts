import type { CsrMatrix } from './csr.ts';
import type { BlockScorer } from './simd/score-block.ts';
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
}

/**
 * Top-k items per user by x_u · y_i (+ b_i), scored a block of users against a tile of items at a time (the
 * item table streams through the cache once per block, as in a matrix product). Each user keeps a size-k
 * min-heap; since items arrive in increasing id order, a score enters only when it beats the heap's root
 * strictly, and the kernel reports only blocks of scores where one does (its threshold), so nearly every score
 * is rejected in SIMD. Items in the user's row of `exclude` are checked only when a score passes. The result is the one {@link selectTopK} gives on the full score row.
 */
export function blockedTopK(input: BlockedTopKInput): void {
  const { scorer, users, userFactors, items, exclude, k, out } = input;
  const B = scorer.maxUsers;
  const T = scorer.tileItems;
  const { thresholds } = scorer;
  const heapScores = new Float32Array(B * k);
  const heapIds = new Int32Array(B * k);
  // Each user's heap as views, made once (the storage is reused block after block).
  const userScores = Array.from({ length: B }, (_, b) => heapScores.subarray(b * k, (b + 1) * k));
  const userIds = Array.from({ length: B }, (_, b) => heapIds.subarray(b * k, (b + 1) * k));
  const sizes = new Int32Array(B);
  const excluded = new Uint8Array(B * items);
  for (let q0 = 0; q0 < users.length; q0 += B) {
    const nb = Math.min(B, users.length - q0);
    scorer.loadUsers(userFactors, users, q0, nb);
    sizes.fill(0);
    markExcluded({ exclude, users, q0, nb, items, excluded, value: 1 });
    // A small first tile fills the heaps, so that the thresholds reject most of the next tiles' scores in SIMD.
    for (let i0 = 0, width = Math.min(T, 8 * Math.ceil(k / 2)); i0 < items; i0 += width, width = T) {
      const { scores, hits, panels } = scorer.scoreTile(i0, width);
      for (let h = 0; h < hits.length; h++) {
        const g = Math.floor(hits[h]! / panels);
        const j0 = (hits[h]! - g * panels) * 8;
        const jEnd = Math.min(j0 + 8, width, items - i0);
        for (let b = 4 * g; b < 4 * g + 4 && b < nb; b++) {
          const row = b * T;
          const seen = b * items + i0;
          const heap = b * k;
          let threshold = thresholds[b]!;
          for (let j = j0; j < jEnd; j++) {
            const s = scores[row + j]!;
            // NaN and -Infinity never pass; while the heap is not full the threshold is -Infinity.
            if (!(s > threshold) || excluded[seen + j] === 1) continue;
            const size = sizes[b]!;
            if (size < k) {
              heapPush(userScores[b]!, userIds[b]!, size, s, i0 + j);
              sizes[b] = size + 1;
              if (size + 1 === k) threshold = heapScores[heap]!;
            } else {
              siftDownFromRoot(userScores[b]!, userIds[b]!, k, s, i0 + j);
              threshold = heapScores[heap]!;
            }
          }
          thresholds[b] = threshold;
        }
      }
    }
    markExcluded({ exclude, users, q0, nb, items, excluded, value: 0 });
    for (let b = 0; b < nb; b++) {
      heapDrain(userScores[b]!, userIds[b]!, sizes[b]!, { k, ids: out.ids, scores: out.scores, offset: (q0 + b) * k });
    }
  }
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
