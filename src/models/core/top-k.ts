import type { TopK } from './recommender.ts';

/**
 * Selects the k best of `scores` (higher is better) by partial selection with a size-k min-heap:
 * O(n log k), no full sort. Entries with score -Infinity are never selected (use it to exclude items).
 * Writes ids and scores best-first into `outIds`/`outScores` at `offset`; pads with -1 / -Infinity.
 */
export function selectTopK(scores: Float32Array, k: number, outIds: Int32Array, outScores: Float32Array, offset = 0, candidates?: Int32Array): void {
  // Heap of (score, id) with the smallest score at the root.
  const heapIds = new Int32Array(k);
  const heapScores = new Float32Array(k);
  let size = 0;
  const n = candidates ? candidates.length : scores.length;
  for (let j = 0; j < n; j++) {
    const id = candidates ? candidates[j]! : j;
    const s = scores[id]!;
    if (s === -Infinity || Number.isNaN(s)) continue;
    if (size < k) {
      heapPush(heapScores, heapIds, size++, s, id);
    } else if (s > heapScores[0]! || (s === heapScores[0] && id < heapIds[0]!)) {
      siftDownFromRoot(heapScores, heapIds, size, s, id);
    }
  }
  heapDrain(heapScores, heapIds, size, { k, ids: outIds, scores: outScores, offset });
}

/**
 * Adds (s, id) to a min-heap of `size` entries held in `heapScores`/`heapIds` (which must have room for one
 * more). Order: smaller score first, and among equal scores the larger id first (see {@link siftDownFromRoot}).
 */
export function heapPush(heapScores: Float32Array, heapIds: Int32Array, size: number, s: number, id: number): void {
  let i = size;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heapScores[parent]! < s || (heapScores[parent] === s && heapIds[parent]! > id)) break;
    heapScores[i] = heapScores[parent]!;
    heapIds[i] = heapIds[parent]!;
    i = parent;
  }
  heapScores[i] = s;
  heapIds[i] = id;
}

/**
 * Empties a heap of `size` entries into a TopK row, best first (ties: smaller id first, so results are
 * deterministic), padding the row's remaining `k − size` places with -1 / -Infinity.
 */
export function heapDrain(
  heapScores: Float32Array,
  heapIds: Int32Array,
  size: number,
  out: { readonly k: number; readonly ids: Int32Array; readonly scores: Float32Array; readonly offset: number },
): void {
  const { k, ids, scores, offset } = out;
  const count = size;
  for (let pos = size - 1; pos >= 0; pos--) {
    ids[offset + pos] = heapIds[0]!;
    scores[offset + pos] = heapScores[0]!;
    size--;
    siftDownFromRoot(heapScores, heapIds, size, heapScores[size]!, heapIds[size]!);
  }
  for (let pos = count; pos < k; pos++) {
    ids[offset + pos] = -1;
    scores[offset + pos] = -Infinity;
  }
}

/**
 * Puts (s, id) at the root of the min-heap of `size` entries and sifts it down. Order: smaller score first,
 * and among equal scores the larger id first (so the smaller id survives, keeping results deterministic).
 */
export function siftDownFromRoot(heapScores: Float32Array, heapIds: Int32Array, size: number, s: number, id: number): void {
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) break;
    const r = l + 1;
    let c = l;
    if (r < size && (heapScores[r]! < heapScores[l]! || (heapScores[r] === heapScores[l] && heapIds[r]! > heapIds[l]!))) c = r;
    if (heapScores[c]! > s || (heapScores[c] === s && heapIds[c]! < id)) break;
    heapScores[i] = heapScores[c]!;
    heapIds[i] = heapIds[c]!;
    i = c;
  }
  heapScores[i] = s;
  heapIds[i] = id;
}

/** An empty TopK for `queries` rows of k, pre-padded with -1 / -Infinity. */
export function allocateTopK(queries: number, k: number): TopK & { ids: Int32Array; scores: Float32Array } {
  const ids = new Int32Array(queries * k).fill(-1);
  const scores = new Float32Array(queries * k).fill(-Infinity);
  return { k, ids, scores };
}
