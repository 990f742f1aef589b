import type { Rng } from '../../shared/index.ts';

/**
 * Strata for deterministic parallel BPR (DSGD, Gemulla et al. 2011): users are cut into T contiguous blocks and
 * items dealt into T blocks, both balanced by non-zeros. An epoch is T rounds; in round r, thread t trains only
 * on stratum (user block t, item block (t + r) mod T), drawing its positives there and its negatives from the
 * same item block. Threads of one round never touch the same user or item rows, so no update races another:
 * the fit is bit-identical for a seed and thread count, unlike lock-free Hogwild. Item blocks are a random
 * deal, so a negative drawn from i's block is still a uniformly random other item.
 */
export interface BprStrata {
  readonly blocks: number;
  /** Non-zero positions of stratum s = userBlock·T + itemBlock: `nonZeros[ptr[s] .. ptr[s + 1])`. */
  readonly ptr: Int32Array;
  readonly nonZeros: Int32Array;
  /** Items of item block b: `items[itemPtr[b] .. itemPtr[b + 1])`. */
  readonly itemPtr: Int32Array;
  readonly items: Int32Array;
}

/** Builds T × T strata over a CSR matrix's non-zeros. */
export function buildStrata(indptr: Int32Array, indices: Int32Array, users: number, items: number, blocks: number, rng: Rng): BprStrata {
  const nnz = indptr[users]!;
  // Users: contiguous ranges of about nnz / T non-zeros each.
  const userBlock = new Int32Array(users);
  for (let u = 0, b = 0; u < users; u++) {
    while (b < blocks - 1 && indptr[u]! >= ((b + 1) * nnz) / blocks) b++;
    userBlock[u] = b;
  }
  // Items: shuffled, then dealt by decreasing popularity in a snake order, so blocks carry similar non-zeros.
  const popularity = new Int32Array(items);
  for (let q = 0; q < nnz; q++) popularity[indices[q]!]!++;
  const order = rng.shuffle(Int32Array.from({ length: items }, (_, i) => i));
  const byPopularity = Int32Array.from(order).sort((a, b) => popularity[b]! - popularity[a]!);
  const itemBlock = new Int32Array(items);
  byPopularity.forEach((item, rank) => {
    const round = Math.floor(rank / blocks);
    const slot = rank % blocks;
    itemBlock[item] = round % 2 === 0 ? slot : blocks - 1 - slot;
  });
  const itemPtr = new Int32Array(blocks + 1);
  for (let i = 0; i < items; i++) itemPtr[itemBlock[i]! + 1]!++;
  for (let b = 0; b < blocks; b++) itemPtr[b + 1]! += itemPtr[b]!;
  const itemList = new Int32Array(items);
  const itemFill = itemPtr.slice(0, blocks);
  for (let i = 0; i < items; i++) itemList[itemFill[itemBlock[i]!]!++] = i;

  const strata = blocks * blocks;
  const ptr = new Int32Array(strata + 1);
  const stratumOf = (u: number, q: number): number => userBlock[u]! * blocks + itemBlock[indices[q]!]!;
  for (let u = 0; u < users; u++) for (let q = indptr[u]!; q < indptr[u + 1]!; q++) ptr[stratumOf(u, q) + 1]!++;
  for (let s = 0; s < strata; s++) ptr[s + 1]! += ptr[s]!;
  const nonZeros = new Int32Array(nnz);
  const fill = ptr.slice(0, strata);
  for (let u = 0; u < users; u++) for (let q = indptr[u]!; q < indptr[u + 1]!; q++) nonZeros[fill[stratumOf(u, q)]!++] = q;
  return { blocks, ptr, nonZeros, itemPtr, items: itemList };
}

/** Thread t's stratum in round r. */
export function stratumOf(strata: BprStrata, thread: number, round: number): { stratum: number; itemBlock: number } {
  const itemBlock = (thread + round) % strata.blocks;
  return { stratum: thread * strata.blocks + itemBlock, itemBlock };
}
