import type { CsrMatrix } from './csr.ts';
import { Rng } from './rng.ts';

/** A users × items matrix with a planted block structure, and one held-out in-block positive per user. */
export interface PlantedBlocks {
  readonly train: CsrMatrix;
  /** Per user: held-out items of the user's own block (not in `train`). */
  readonly heldOut: readonly (readonly number[])[];
  readonly blockOfUser: (user: number) => number;
  readonly blockOfItem: (item: number) => number;
}

/**
 * Users and items split into `blocks` equal groups; each user interacts with each item of its own group
 * with probability `density` and with nothing else. One of each user's positives is held out.
 * Test fixture: the answer (recommend your own block) is known.
 */
export function plantedBlocks(options: { users: number; items: number; blocks: number; density: number; seed: number }): PlantedBlocks {
  const { users, items, blocks, density } = options;
  const rng = new Rng(options.seed);
  const usersPerBlock = users / blocks;
  const itemsPerBlock = items / blocks;
  const blockOfUser = (u: number): number => Math.floor(u / usersPerBlock);
  const blockOfItem = (i: number): number => Math.floor(i / itemsPerBlock);
  const indptr = new Int32Array(users + 1);
  const indices: number[] = [];
  const heldOut: number[][] = [];
  for (let u = 0; u < users; u++) {
    const first = blockOfUser(u) * itemsPerBlock;
    const row: number[] = [];
    for (let i = first; i < first + itemsPerBlock; i++) if (rng.next() < density) row.push(i);
    while (row.length < 3) {
      const i = first + rng.nextInt(itemsPerBlock);
      if (!row.includes(i)) row.push(i);
    }
    row.sort((a, b) => a - b);
    const out = row.splice(rng.nextInt(row.length), 1);
    heldOut.push(out);
    indices.push(...row);
    indptr[u + 1] = indices.length;
  }
  const train: CsrMatrix = { rows: users, cols: items, indptr, indices: Int32Array.from(indices), data: new Float32Array(indices.length).fill(1) };
  return { train, heldOut, blockOfUser, blockOfItem };
}

/** A users × items matrix with about `perUser` random items per user (uniform), values 1. */
export function randomInteractions(options: { users: number; items: number; perUser: number; seed: number }): CsrMatrix {
  const { users, items, perUser } = options;
  const rng = new Rng(options.seed);
  const indptr = new Int32Array(users + 1);
  const indices: number[] = [];
  const seen = new Uint8Array(items);
  for (let u = 0; u < users; u++) {
    const row: number[] = [];
    const n = 1 + rng.nextInt(2 * perUser - 1);
    for (let t = 0; t < n; t++) {
      // Skewed popularity: squaring a uniform favours low ids.
      const x = rng.next();
      const i = Math.floor(x * x * items);
      if (!seen[i]) {
        seen[i] = 1;
        row.push(i);
      }
    }
    for (const i of row) seen[i] = 0;
    row.sort((a, b) => a - b);
    indices.push(...row);
    indptr[u + 1] = indices.length;
  }
  return { rows: users, cols: items, indptr, indices: Int32Array.from(indices), data: new Float32Array(indices.length).fill(1) };
}

/** Cosine similarity of two equal-length vectors. */
export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  for (let k = 0; k < a.length; k++) {
    ab += a[k]! * b[k]!;
    aa += a[k]! * a[k]!;
    bb += b[k]! * b[k]!;
  }
  return ab / Math.sqrt(aa * bb);
}
