import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../core/index.ts';
import { PopularRecommender } from './popular-recommender.ts';

// The behaviour every model shares (planted structure, top-K rows, exclusion, candidates, round-trip, errors) is
// checked by the Recommender contract (models/catalog.test.ts); these tests are popularity's own.
// 4 users × 5 items (value in brackets):
//   user 0: item 0 [1], item 2 [1]
//   user 1: item 0 [1], item 1 [5]
//   user 2: item 0 [1], item 2 [1]
//   user 3: item 3 [1]
// count  = users per item: [3, 1, 2, 1, 0]  → ranking 0, 2, 1, 3 (1 and 3 tie: smaller id first); item 4 never
// weight = value sums:     [3, 5, 2, 1, 0]  → ranking 1, 0, 2, 3
const train = csrFromCoo({
  rows: 4,
  cols: 5,
  rowIdx: Int32Array.of(0, 0, 1, 1, 2, 2, 3),
  colIdx: Int32Array.of(0, 2, 0, 1, 0, 2, 3),
  values: Float32Array.of(1, 1, 1, 5, 1, 1, 1),
});
const rows = (ids: Int32Array, k: number) => Array.from({ length: ids.length / k }, (_, q) => [...ids.subarray(q * k, q * k + k)]);

describe('PopularRecommender', () => {
  it("ranks by the number of users per item by default ('count'), the same for everyone", async () => {
    const model = new PopularRecommender();
    const report = await model.fit(train);
    expect(report).toMatchObject({ epochs: 1, stoppedEarly: false });
    const top = model.recommend(Int32Array.of(0, 3), { k: 3 });
    expect(rows(top.ids, 3)).toEqual([
      [0, 2, 1],
      [0, 2, 1],
    ]);
    expect([...top.scores.subarray(0, 3)]).toEqual([3, 2, 1]);
  });

  it("ranks by summed values with by: 'weight'", async () => {
    const model = new PopularRecommender({ by: 'weight' });
    await model.fit(train);
    expect([...model.recommend(Int32Array.of(3), { k: 4 }).ids]).toEqual([1, 0, 2, 3]);
  });

  it('excludes each user’s own items, restricts to candidates, and never recommends unseen items', async () => {
    const model = new PopularRecommender();
    await model.fit(train);
    const top = model.recommend(Int32Array.of(0, 1, 3), { k: 4, exclude: train });
    expect(rows(top.ids, 4)).toEqual([
      [1, 3, -1, -1], // user 0 has 0 and 2; item 4 has no users
      [2, 3, -1, -1], // user 1 has 0 and 1
      [0, 2, 1, -1], // user 3 has 3
    ]);
    const restricted = model.recommend(Int32Array.of(0), { k: 2, exclude: train, candidates: Int32Array.of(4, 3, 0) });
    expect([...restricted.ids]).toEqual([3, -1]);
  });

  it('answers similarItems with the popularity ranking minus the query item', async () => {
    const model = new PopularRecommender();
    await model.fit(train);
    expect(rows(model.similarItems(Int32Array.of(0, 4), 2).ids, 2)).toEqual([
      [2, 1],
      [0, 2],
    ]);
  });

  it("with scope 'region', ranks by popularity among the user's region, then overall; users without one get the overall ranking", async () => {
    // Region 10: users 0–2 all took item 3, user 2 also item 1. Region 20: users 3 and 4 took items 0 and 2.
    // User 5 (no region) took item 0. Overall: items 0 and 3 ×3, item 2 ×2, item 1 ×1 → 0, 3, 2, 1.
    const matrix = csrFromCoo({
      rows: 6,
      cols: 4,
      rowIdx: Int32Array.of(0, 1, 2, 2, 3, 3, 4, 4, 5),
      colIdx: Int32Array.of(3, 3, 3, 1, 0, 2, 0, 2, 0),
      values: Float32Array.of(1, 1, 1, 1, 1, 1, 1, 1, 1),
    });
    const userRegions = Int32Array.of(10, 10, 10, 20, 20, -1);
    const model = new PopularRecommender({ scope: 'region' });
    await model.fit(matrix, { userRegions });
    const top = model.recommend(Int32Array.of(0, 3, 5), { k: 4 });
    expect(rows(top.ids, 4)).toEqual([
      [3, 1, 0, 2], // region 10's favourites, then the rest by overall popularity
      [0, 2, 3, 1], // region 20: items 0 and 2 tie at 2 → overall breaks the tie
      [0, 3, 2, 1], // no region: overall
    ]);
    expect([...top.scores.subarray(0, 4)]).toEqual([3, 1, 0, 0]);
    expect([...model.recommend(Int32Array.of(2), { k: 3, exclude: matrix }).ids]).toEqual([0, 2, -1]);
    await expect(new PopularRecommender({ scope: 'region' }).fit(matrix)).rejects.toThrow(/needs userRegions for all 6 users/);
    // The overall scope ignores regions.
    const overall = new PopularRecommender();
    await overall.fit(matrix, { userRegions });
    expect([...overall.recommend(Int32Array.of(0), { k: 4 }).ids]).toEqual([0, 3, 2, 1]);
  });

  it('records every training user in its artifact (version 2), and still reads version 1, which did not', async () => {
    const model = new PopularRecommender();
    await model.fit(train);
    const artifact = model.toArtifact();
    expect(artifact.header).toMatchObject({ version: 2, shapes: { scores: [5], userGroups: [4], groupRegions: [0] } });
    expect([...artifact.buffers.userGroups!]).toEqual([-1, -1, -1, -1]);
    expect(() => PopularRecommender.fromArtifact(artifact).recommend(Int32Array.of(4), { k: 1 })).toThrow(/user id 4 is out of range \[0, 4\)/);
    // Version 1, scope 'overall': only the scores. The users are unknown, so any user id gets the overall ranking.
    const v1 = {
      header: { kind: 'popular' as const, version: 1, params: { by: 'count' }, shapes: { scores: [5] } },
      buffers: { scores: artifact.buffers.scores! },
    };
    const legacy = PopularRecommender.fromArtifact(v1);
    expect([...legacy.recommend(Int32Array.of(0, 400), { k: 2 }).ids]).toEqual([0, 2, 0, 2]);
    expect(() => legacy.recommend(Int32Array.of(-1), { k: 2 })).toThrow(/user id -1 is out of range/);
  });

  it('rejects artifacts of another kind or shape, and bad params', () => {
    expect(() => new PopularRecommender({ by: 'clicks' as 'count' })).toThrow(/by must be/);
    const header = { kind: 'popular' as const, version: 1, params: { by: 'count' }, shapes: { scores: [2] } };
    expect(() => PopularRecommender.fromArtifact({ header: { ...header, kind: 'als' }, buffers: {} })).toThrow(/kind 'als'/);
    expect(() => PopularRecommender.fromArtifact({ header: { ...header, version: 3 }, buffers: {} })).toThrow(/version 3/);
    expect(() => PopularRecommender.fromArtifact({ header, buffers: { scores: Int32Array.of(1, 2) } })).toThrow(/missing Float32Array/);
    expect(() => PopularRecommender.fromArtifact({ header, buffers: { scores: Float32Array.of(1) } })).toThrow(/does not match 1 scores/);
    expect(() => PopularRecommender.fromArtifact({ header, buffers: { scores: Float32Array.of(1, Number.NaN) } })).toThrow(/score 1 is NaN/);
    const groups = { scores: Float32Array.of(1, 2), groupScores: Float32Array.of(1, 0), groupRegions: Int32Array.of(5) };
    expect(() => PopularRecommender.fromArtifact({ header, buffers: { ...groups, userGroups: Int32Array.of(0, 1) } })).toThrow(
      /user 1 is in group 1, outside \[-1, 1\)/,
    );
    expect(() => PopularRecommender.fromArtifact({ header, buffers: { ...groups, groupScores: Float32Array.of(1), userGroups: Int32Array.of(0) } })).toThrow(
      /1 group scores for 1 groups × 2 items/,
    );
  });
});
