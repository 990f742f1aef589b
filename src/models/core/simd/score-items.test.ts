import { describe, expect, it } from 'vitest';
import { Rng } from '../../../shared/rng.ts';
import { itemScorerFor } from './score-items.ts';

describe('SIMD item scoring', () => {
  it('matches the scalar dot products, for item counts that are and are not multiples of 4', () => {
    const rng = new Rng(2);
    for (const [items, f] of [
      [7, 8],
      [12, 64],
      [1, 4],
      [3001, 16],
    ] as const) {
      const itemFactors = Float32Array.from({ length: items * f }, () => rng.normal());
      const userFactors = Float32Array.from({ length: 3 * f }, () => rng.normal());
      const scorer = itemScorerFor(itemFactors, items, f)!;
      expect(scorer).toBeDefined();
      expect(itemScorerFor(itemFactors, items, f)).toBe(scorer); // built once per table
      const out = new Float32Array(items + 5);
      scorer.score(userFactors, 2 * f, out, 5);
      for (let i = 0; i < items; i++) {
        let dot = 0;
        for (let k = 0; k < f; k++) dot += userFactors[2 * f + k]! * itemFactors[i * f + k]!;
        expect(out[5 + i]).toBeCloseTo(dot, 3);
      }
    }
    expect(itemScorerFor(new Float32Array(6), 1, 6)).toBeUndefined();
  });
});
