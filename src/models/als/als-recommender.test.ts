import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelArtifact } from '../core/recommender.ts';
import { AlsRecommender } from './als-recommender.ts';
import { cosine, plantedBlocks } from '../core/test-fixtures.ts';

// The behaviour every model shares (planted structure, top-K rows, exclusion, candidates, round-trip, errors,
// fold-in lists) is checked by the Recommender contract (models/catalog.test.ts); these tests are ALS's own.
const { train, blockOfItem } = plantedBlocks({ users: 60, items: 40, blocks: 4, density: 0.4, seed: 11 });
let model: AlsRecommender;

beforeAll(async () => {
  // As many factors as planted blocks: more would fit each user's own items rather than the structure.
  model = new AlsRecommender({ factors: 4, regularization: 0.05, alpha: 10, iterations: 15 });
  await model.fit(train, { seed: 1 });
});

function rowOf(u: number): number[] {
  return [...train.indices.subarray(train.indptr[u]!, train.indptr[u + 1]!)];
}

describe('AlsRecommender', () => {
  it('scores every item not excluded by x_u · y_i', () => {
    const f = model.params.factors;
    const top = model.recommend(Int32Array.of(3), { k: train.cols, exclude: train });
    const ids = [...top.ids].filter((i) => i >= 0);
    expect(ids.sort((a, b) => a - b)).toEqual([...Array(train.cols).keys()].filter((i) => !rowOf(3).includes(i)));
    const i = top.ids[0]!;
    let dot = 0;
    for (let k = 0; k < f; k++) dot += model.userFactors![3 * f + k]! * model.itemFactors![i * f + k]!;
    expect(top.scores[0]).toBeCloseTo(dot, 5);
  });

  it('finds similar items in the same block, by cosine (at most 1)', () => {
    const items = Int32Array.of(0, 13, 27, 39);
    const similar = model.similarItems(items, 5);
    items.forEach((item, q) => {
      const ids = [...similar.ids.subarray(q * 5, q * 5 + 5)];
      expect(ids.every((i) => blockOfItem(i) === blockOfItem(item))).toBe(true);
      expect(similar.scores[q * 5]!).toBeLessThanOrEqual(1 + 1e-5);
    });
  });

  it("folds in a training user's own row to (nearly) the factor fitted for them", async () => {
    const exact = new AlsRecommender({ factors: 8, iterations: 40, solver: 'cholesky' });
    await exact.fit(train, { seed: 4 });
    const f = exact.params.factors;
    for (const u of [0, 17, 42, 59]) {
      const items = train.indices.slice(train.indptr[u]!, train.indptr[u + 1]!);
      const values = train.data.slice(train.indptr[u]!, train.indptr[u + 1]!);
      const folded = exact.foldIn({ items, values });
      expect(cosine(folded, exact.userFactors!.subarray(u * f, (u + 1) * f))).toBeGreaterThan(0.99);
    }
    expect([...exact.foldIn({ items: new Int32Array(0), values: new Float32Array(0) })]).toEqual(new Array(f).fill(0));
    expect(() => exact.foldIn({ items: Int32Array.of(40), values: Float32Array.of(1) })).toThrow(/out of range/);
    // A repeated item adds up, as repeated interactions do in a training matrix.
    expect(exact.foldIn({ items: Int32Array.of(5, 1, 5), values: Float32Array.of(1, 1, 0.5) })).toEqual(
      exact.foldIn({ items: Int32Array.of(1, 5), values: Float32Array.of(1, 1.5) }),
    );
  });

  it('saves its factor tables, and refuses corrupted or foreign artifacts with a clear error', () => {
    const artifact = model.toArtifact();
    expect(artifact.header).toMatchObject({ kind: 'als', version: 1, shapes: { userFactors: [60, 4], itemFactors: [40, 4] } });
    expect(artifact.header.params).toMatchObject({ factors: 4, alpha: 10 });
    const withShapes = (shapes: Record<string, number[]>): ModelArtifact => ({ ...artifact, header: { ...artifact.header, shapes } });
    expect(() => AlsRecommender.fromArtifact(withShapes({ userFactors: [61, 4], itemFactors: [40, 4] }))).toThrow(
      /'userFactors' has 240 values but its shape \[61,4\] needs 244/,
    );
    expect(() => AlsRecommender.fromArtifact(withShapes({ userFactors: [60, 4], itemFactors: [20, 8] }))).toThrow(/4 columns but itemFactors has 8/);
    expect(() => AlsRecommender.fromArtifact(withShapes({ userFactors: [60, 4] }))).toThrow(/shape of 'itemFactors'/);
    expect(() => AlsRecommender.fromArtifact({ ...artifact, header: { ...artifact.header, kind: 'bpr' } })).toThrow(/kind is 'bpr', expected 'als'/);
    expect(() => AlsRecommender.fromArtifact({ ...artifact, header: { ...artifact.header, version: 2 } })).toThrow(/unsupported version 2/);
    expect(() => AlsRecommender.fromArtifact({ ...artifact, buffers: { userFactors: artifact.buffers.userFactors! } })).toThrow(/'itemFactors' is missing/);
    expect(() => AlsRecommender.fromArtifact({ ...artifact, header: { ...artifact.header, params: { ...artifact.header.params, factors: 6 } } })).toThrow(
      /params.factors is 6/,
    );
  });

  it('rejects bad params', () => {
    expect(() => new AlsRecommender({ factors: 0 })).toThrow(/factors must be an integer/);
  });
});
