import { describe, expect, it } from 'vitest';
import { allocateTopK, selectTopK } from './top-k.ts';

function naive(scores: Float32Array, k: number, candidates?: Int32Array): number[] {
  const ids = candidates ? [...candidates] : [...scores.keys()];
  return ids
    .filter((i) => scores[i] !== -Infinity)
    .sort((a, b) => scores[b]! - scores[a]! || a - b)
    .slice(0, k);
}

describe('selectTopK', () => {
  it('matches a full sort on random scores, with ties broken by smaller id', () => {
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let trial = 0; trial < 50; trial++) {
      const n = 1 + Math.floor(rand() * 300);
      const scores = Float32Array.from({ length: n }, () => Math.round(rand() * 20) / 4);
      const k = 1 + Math.floor(rand() * 15);
      const out = allocateTopK(1, k);
      selectTopK(scores, k, out.ids, out.scores);
      const expected = naive(scores, k);
      expect([...out.ids.slice(0, expected.length)]).toEqual(expected);
      expect([...out.ids.slice(expected.length)].every((v) => v === -1)).toBe(true);
    }
  });

  it('skips -Infinity (excluded) and pads when fewer than k remain', () => {
    const scores = Float32Array.from([1, -Infinity, 3, 2]);
    const out = { ids: new Int32Array(5).fill(42), scores: new Float32Array(5).fill(42) };
    selectTopK(scores, 5, out.ids, out.scores);
    expect([...out.ids]).toEqual([2, 3, 0, -1, -1]);
    expect([...out.scores.slice(0, 3)]).toEqual([3, 2, 1]);
  });

  it('restricts to candidates and writes at an offset', () => {
    const scores = Float32Array.from([9, 8, 7, 6, 5]);
    const out = allocateTopK(2, 2);
    selectTopK(scores, 2, out.ids, out.scores, 2, Int32Array.from([4, 2, 3]));
    expect([...out.ids]).toEqual([-1, -1, 2, 3]);
  });
});
