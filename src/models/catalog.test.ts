import { describe, expect, it } from 'vitest';
import { createRecommender, MODEL_CATALOG, MODEL_KINDS, recommenderFromArtifact } from './catalog.ts';
import type { ModelKind } from './core/index.ts';
import { runRecommenderContract } from './core/recommender.contract.ts';

/**
 * Parameters under which a kind recovers the contract's small planted structure (120 users, 40 items, 4 blocks);
 * a kind not listed runs with its defaults. Popularity ranks per region there (the regions are the blocks).
 */
const CONTRACT_PARAMS: Partial<Record<ModelKind, Record<string, unknown>>> = {
  popular: { scope: 'region' },
  // As many factors as planted blocks: more would fit each user's own items rather than the structure.
  als: { factors: 4, regularization: 0.05, alpha: 10, iterations: 15 },
  bpr: { factors: 8, learningRate: 0.05, regularization: 0.1, iterations: 200 },
  // The contract's matrix has 40 items: the default rank (256) is above its rank bound.
  'gf-cf': { rank: 8 },
};

describe('the model catalogue', () => {
  it('names every kind once, each with defaults that construct a model of that kind', () => {
    expect(new Set(MODEL_KINDS).size).toBe(MODEL_KINDS.length);
    for (const kind of MODEL_KINDS) {
      expect(createRecommender(kind).kind).toBe(kind);
      expect(Object.keys(MODEL_CATALOG[kind].searchSpace).every((p) => Object.hasOwn(MODEL_CATALOG[kind].defaults, p))).toBe(true);
    }
    expect(() => createRecommender('als', { neighbours: 5 })).toThrow(/als has no parameter\(s\) neighbours/);
  });
});

for (const kind of MODEL_KINDS) {
  runRecommenderContract(kind, { create: () => createRecommender(kind, CONTRACT_PARAMS[kind]), fromArtifact: recommenderFromArtifact });
}
