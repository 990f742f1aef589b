import { ValidationError } from '../../shared/errors.ts';

/**
 * Argument checks every Recommender implementation shares, so models reject a bad `k` with the same message and
 * treat candidate ids alike.
 */

/** Throws a ValidationError unless k is a positive integer (the row width of a TopK). */
export function checkK(k: number, where: string): void {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`${where}: k must be a positive integer, got ${k}`);
}

/** The candidate ids that exist in a model of `items` items (others are ignored, not an error: the catalogue may be newer than the model). */
export function knownCandidates(candidates: Int32Array, items: number): Int32Array {
  return candidates.filter((i) => i >= 0 && i < items);
}
