import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/rng.ts';
import { randomInteractions } from '../core/test-fixtures.ts';
import { buildStrata, stratumOf } from './bpr-strata.ts';

describe('BPR strata', () => {
  const matrix = randomInteractions({ users: 900, items: 120, perUser: 8, seed: 3 });
  const nnz = matrix.indptr[matrix.rows]!;
  const userOf = new Int32Array(nnz);
  for (let u = 0; u < matrix.rows; u++) userOf.fill(u, matrix.indptr[u]!, matrix.indptr[u + 1]!);

  it.each([1, 2, 3])('puts every non-zero in exactly one stratum, and gives the threads of a round disjoint users and items (T = %i)', (blocks) => {
    const strata = buildStrata(matrix.indptr, matrix.indices, matrix.rows, matrix.cols, blocks, new Rng(1));
    expect([...strata.nonZeros].sort((a, b) => a - b)).toEqual(Array.from({ length: nnz }, (_, q) => q));
    expect([...strata.items].sort((a, b) => a - b)).toEqual(Array.from({ length: matrix.cols }, (_, i) => i));
    for (let round = 0; round < blocks; round++) {
      const usersSeen = new Map<number, number>();
      const itemsSeen = new Map<number, number>();
      for (let t = 0; t < blocks; t++) {
        const { stratum, itemBlock } = stratumOf(strata, t, round);
        const blockItems = new Set(strata.items.subarray(strata.itemPtr[itemBlock]!, strata.itemPtr[itemBlock + 1]!));
        for (let p = strata.ptr[stratum]!; p < strata.ptr[stratum + 1]!; p++) {
          const q = strata.nonZeros[p]!;
          const u = userOf[q]!;
          const i = matrix.indices[q]!;
          expect(blockItems.has(i)).toBe(true);
          expect(usersSeen.get(u) ?? t).toBe(t);
          expect(itemsSeen.get(i) ?? t).toBe(t);
          usersSeen.set(u, t);
          itemsSeen.set(i, t);
        }
      }
    }
    // Balanced: no item block carries more than twice its share of non-zeros.
    const perItemBlock = new Array<number>(blocks).fill(0);
    for (let s = 0; s < blocks * blocks; s++) perItemBlock[s % blocks]! += strata.ptr[s + 1]! - strata.ptr[s]!;
    for (const n of perItemBlock) expect(n).toBeLessThan((2 * nnz) / blocks);
  });
});
