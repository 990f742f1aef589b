import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelArtifact } from '../core/recommender.ts';
import { AlsRecommender } from './als-recommender.ts';
import { cosine, plantedBlocks } from '../core/test-fixtures.ts';

const { train, heldOut, blockOfUser, blockOfItem } = plantedBlocks({ users: 60, items: 40, blocks: 4, density: 0.4, seed: 11 });
const allUsers = Int32Array.from({ length: train.rows }, (_, u) => u);
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
  it('recovers a planted block structure', () => {
    const all = model.recommend(allUsers, { k: train.cols, exclude: train });
    for (let u = 0; u < train.rows; u++) {
      const ranked = [...all.ids.subarray(u * all.k, (u + 1) * all.k)].filter((i) => i >= 0);
      const unseenInBlock = ranked.filter((i) => blockOfItem(i) === blockOfUser(u)).length;
      const top = ranked.slice(0, Math.min(5, unseenInBlock));
      expect(top.every((i) => blockOfItem(i) === blockOfUser(u))).toBe(true);
      const firstOutside = ranked.findIndex((i) => blockOfItem(i) !== blockOfUser(u));
      for (const i of heldOut[u]!) expect(ranked.indexOf(i)).toBeLessThan(firstOutside);
    }
  });

  it('excludes training items and keeps to the candidates', () => {
    const u = 0;
    const seen = rowOf(u);
    const top = model.recommend(Int32Array.of(u), { k: 10, exclude: train });
    expect([...top.ids].some((i) => seen.includes(i))).toBe(false);
    const candidates = Int32Array.of(39, 0, 1, 2, 25, 12);
    const restricted = model.recommend(Int32Array.of(u), { k: 3, exclude: train, candidates });
    const allowed = [...candidates].filter((i) => !seen.includes(i));
    expect([...restricted.ids].filter((i) => i >= 0).every((i) => allowed.includes(i))).toBe(true);
    expect(restricted.ids[0]).toBeGreaterThanOrEqual(0);
    for (let q = 1; q < restricted.k; q++) if (restricted.ids[q]! >= 0) expect(restricted.scores[q]!).toBeLessThanOrEqual(restricted.scores[q - 1]!);
  });

  it('returns every non-excluded item then -1 padding when k exceeds the catalogue', () => {
    const u = 5;
    const k = train.cols + 7;
    const top = model.recommend(Int32Array.of(u), { k, exclude: train });
    const expected = train.cols - rowOf(u).length;
    const ids = [...top.ids];
    expect(new Set(ids.slice(0, expected)).size).toBe(expected);
    expect(ids.slice(0, expected).every((i) => i >= 0 && !rowOf(u).includes(i))).toBe(true);
    expect(ids.slice(expected)).toEqual(new Array(k - expected).fill(-1));
    expect([...top.scores.slice(expected)].every((s) => s === -Infinity)).toBe(true);
  });

  it('scores are x_u · y_i', () => {
    const f = model.params.factors;
    const top = model.recommend(Int32Array.of(3), { k: 1 });
    const i = top.ids[0]!;
    let dot = 0;
    for (let k = 0; k < f; k++) dot += model.userFactors![3 * f + k]! * model.itemFactors![i * f + k]!;
    expect(top.scores[0]).toBeCloseTo(dot, 5);
  });

  it('finds similar items in the same block, never the item itself', () => {
    const items = Int32Array.of(0, 13, 27, 39);
    const similar = model.similarItems(items, 5);
    items.forEach((item, q) => {
      const ids = [...similar.ids.subarray(q * 5, q * 5 + 5)];
      expect(ids).not.toContain(item);
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
  });

  it('round-trips through an artifact with identical recommendations', () => {
    const artifact = model.toArtifact();
    expect(artifact.header).toMatchObject({ kind: 'als', version: 1, shapes: { userFactors: [60, 4], itemFactors: [40, 4] } });
    expect(artifact.header.params).toMatchObject({ factors: 4, alpha: 10 });
    const copy: ModelArtifact = JSON.parse(JSON.stringify({ header: artifact.header })) as ModelArtifact;
    const restored = AlsRecommender.fromArtifact({
      header: copy.header,
      buffers: { userFactors: artifact.buffers.userFactors!.slice(), itemFactors: artifact.buffers.itemFactors!.slice() },
    });
    const a = model.recommend(allUsers, { k: 10, exclude: train });
    const b = restored.recommend(allUsers, { k: 10, exclude: train });
    expect(b.ids).toEqual(a.ids);
    expect(b.scores).toEqual(a.scores);
    expect(restored.similarItems(Int32Array.of(3), 4)).toEqual(model.similarItems(Int32Array.of(3), 4));
  });

  it('refuses corrupted or foreign artifacts with a clear error', () => {
    const artifact = model.toArtifact();
    const withShapes = (shapes: Record<string, number[]>): ModelArtifact => ({ ...artifact, header: { ...artifact.header, shapes } });
    expect(() => AlsRecommender.fromArtifact(withShapes({ userFactors: [61, 4], itemFactors: [40, 4] }))).toThrow(/'userFactors' has 240 values but its shape \[61,4\] needs 244/);
    expect(() => AlsRecommender.fromArtifact(withShapes({ userFactors: [60, 4], itemFactors: [20, 8] }))).toThrow(/4 columns but itemFactors has 8/);
    expect(() => AlsRecommender.fromArtifact(withShapes({ userFactors: [60, 4] }))).toThrow(/shape of 'itemFactors'/);
    expect(() => AlsRecommender.fromArtifact({ ...artifact, header: { ...artifact.header, kind: 'bpr' } })).toThrow(/kind is 'bpr', expected 'als'/);
    expect(() => AlsRecommender.fromArtifact({ ...artifact, header: { ...artifact.header, version: 2 } })).toThrow(/unsupported version 2/);
    expect(() => AlsRecommender.fromArtifact({ ...artifact, buffers: { userFactors: artifact.buffers.userFactors! } })).toThrow(/'itemFactors' is missing/);
    expect(() => AlsRecommender.fromArtifact({ ...artifact, header: { ...artifact.header, params: { ...artifact.header.params, factors: 6 } } })).toThrow(
      /params.factors is 6/,
    );
  });

  it('rejects bad ids and use before fit', () => {
    expect(() => model.recommend(Int32Array.of(60), { k: 3 })).toThrow(/user id 60 is out of range/);
    expect(() => model.recommend(Int32Array.of(0), { k: 3, candidates: Int32Array.of(-1) })).toThrow(/candidate item id -1/);
    expect(() => new AlsRecommender().recommend(Int32Array.of(0), { k: 1 })).toThrow(/not fitted/);
    expect(() => new AlsRecommender({ factors: 0 })).toThrow(/factors must be an integer/);
  });
});
