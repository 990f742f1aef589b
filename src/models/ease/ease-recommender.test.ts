import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import { csrRow } from '../core/csr-ops.ts';
import type { CsrMatrix } from '../core/index.ts';
import { plantedBlocks } from '../core/test-fixtures.ts';
import { EaseRecommender } from './ease-recommender.ts';

describe('EaseRecommender', () => {
  const planted = plantedBlocks({ users: 300, items: 60, blocks: 3, density: 0.3, seed: 4 });
  const { train } = planted;

  it('recommends within the user’s own block of co-consumed items, and names same-block items as similar', async () => {
    const model = new EaseRecommender({ lambda: 10 });
    await model.fit(train, { threads: 1 });
    const users = Int32Array.from({ length: train.rows }, (_, u) => u);
    const top = model.recommend(users, { k: 5, exclude: train });
    for (let u = 0; u < train.rows; u++) {
      for (const i of top.ids.subarray(u * 5, u * 5 + 5)) if (i >= 0) expect(planted.blockOfItem(i)).toBe(planted.blockOfUser(u));
    }
    const items = Int32Array.from({ length: train.cols }, (_, i) => i);
    const similar = model.similarItems(items, 10);
    for (let q = 0; q < train.cols; q++) {
      for (const i of similar.ids.subarray(q * 10, q * 10 + 10)) expect(planted.blockOfItem(i)).toBe(planted.blockOfItem(q));
    }
  });

  it('gives a new user exactly the scores of the training user with the same history', async () => {
    const model = new EaseRecommender({ lambda: 25 });
    await model.fit(train);
    for (const u of [0, 57, 123, 299]) {
      const row = csrRow(train, u);
      const own = model.recommend(Int32Array.of(u), { k: train.cols, exclude: train });
      const folded = model.recommendFolded({ items: row.indices.slice(), values: row.data.slice() }, { k: train.cols });
      expect(folded.ids).toEqual(own.ids);
      expect(folded.scores).toEqual(own.scores);
    }
  });

  it('scores a user as the sum of B’s rows for their items, the same alone as in a block of users', async () => {
    const model = new EaseRecommender({ lambda: 25 });
    await model.fit(train);
    const { weights } = model.toArtifact().buffers as { weights: Float32Array };
    const n = train.cols;
    const u = 200;
    const expected = new Float32Array(n);
    const row = csrRow(train, u);
    for (let a = 0; a < row.indices.length; a++) for (let j = 0; j < n; j++) expected[j]! += row.data[a]! * weights[row.indices[a]! * n + j]!;
    const alone = model.recommend(Int32Array.of(u), { k: n });
    for (let r = 0; r < n; r++) expect(alone.scores[r]).toBeCloseTo(expected[alone.ids[r]!]!, 5);
    const all = model.recommend(
      Int32Array.from({ length: train.rows }, (_, q) => q),
      { k: n },
    );
    expect(all.ids.subarray(u * n, (u + 1) * n)).toEqual(alone.ids);
    expect(all.scores.subarray(u * n, (u + 1) * n)).toEqual(alone.scores);
  });

  it('rejects with an AbortError when aborted before or during the fit', async () => {
    const before = new AbortController();
    before.abort();
    await expect(new EaseRecommender().fit(train, { signal: before.signal })).rejects.toMatchObject({ name: 'AbortError' });
    const during = new AbortController();
    const fit = new EaseRecommender().fit(train, { signal: during.signal });
    during.abort(); // the fit has started: it notices between the passes of the inverse
    await expect(fit).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('refuses a catalogue above maxItems at once, naming the alternatives, without allocating n²', async () => {
    // 10⁶ items would need a 4 TB B: the refusal must come before any allocation.
    const huge: CsrMatrix = { rows: 2, cols: 1_000_000, indptr: Int32Array.of(0, 1, 2), indices: Int32Array.of(5, 999_999), data: Float32Array.of(1, 1) };
    const fit = new EaseRecommender().fit(huge);
    await expect(fit).rejects.toBeInstanceOf(ValidationError);
    await expect(fit).rejects.toThrow(/1000000 items, above maxItems 10000.*'gf-cf', 'rp3beta' or 'als'/);
    await expect(new EaseRecommender({ maxItems: 50 }).fit(train)).rejects.toThrow(/60 items, above maxItems 50/);
    expect(() => new EaseRecommender({ maxItems: 40_000 })).toThrow(ValidationError);
    expect(() => new EaseRecommender({ lambda: 0 })).toThrow(/EASE lambda/);
  });
});
