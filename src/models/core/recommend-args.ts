import { ValidationError } from '../../shared/index.ts';
import { csrFromCoo } from './csr-ops.ts';
import type { CsrMatrix } from './csr.ts';
import type { FoldInInteractions } from './recommender.ts';

/**
 * Argument checks every Recommender implementation shares, so that models reject bad input with the same
 * ValidationError and message (the errors documented on {@link Recommender}).
 */

/**
 * The row width of a TopK for a request of `k` when at most `available` results exist (the model's items for
 * `recommend`, one fewer for `similarItems`): min(k, available). Throws a ValidationError unless k is a
 * positive integer.
 */
export function topKWidth(k: number, available: number, where: string): number {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`${where}: k must be a positive integer, got ${k}`);
  return Math.min(k, Math.max(available, 0));
}

/** Throws a ValidationError naming the first id outside [0, limit) (`what`: 'user', 'item', 'candidate item'). */
export function checkIds(ids: Int32Array, limit: number, what: string): void {
  for (let q = 0; q < ids.length; q++) {
    const id = ids[q]!;
    if (id < 0 || id >= limit) throw new ValidationError(`${what} id ${id} is out of range [0, ${limit})`);
  }
}

/**
 * The candidate ids of a request, checked against the model's `items` and without repeats (ascending), so that
 * a candidate named twice is still recommended once. Throws a ValidationError for an id the model does not know.
 */
export function candidateIds(candidates: Int32Array, items: number): Int32Array {
  checkIds(candidates, items, 'candidate item');
  const sorted = candidates.slice().sort();
  let n = 0;
  for (let q = 0; q < sorted.length; q++) if (q === 0 || sorted[q] !== sorted[q - 1]) sorted[n++] = sorted[q]!;
  return sorted.subarray(0, n);
}

/**
 * A user unseen in training as a one-row CSR over the model's `items`: ids checked, columns sorted, repeated
 * items summed (as training matrices are built). Used both as the row to score and as what to exclude.
 */
export function foldInRow(interactions: FoldInInteractions, items: number): CsrMatrix {
  const { items: ids, values } = interactions;
  if (ids.length !== values.length) throw new ValidationError(`fold-in: ${ids.length} items but ${values.length} values`);
  checkIds(ids, items, 'item');
  return csrFromCoo({ rows: 1, cols: items, rowIdx: new Int32Array(ids.length), colIdx: ids, values });
}
