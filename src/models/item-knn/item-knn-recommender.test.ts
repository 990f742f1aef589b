import { describe, expect, it } from 'vitest';
import { csrFromCoo, csrRow, type CsrMatrix } from '../core/index.ts';
import { ItemKnnRecommender } from './item-knn-recommender.ts';
import type { ItemKnnWeighting } from './item-knn-params.ts';

// The behaviour every model shares (planted structure, top-K rows, exclusion, candidates, round-trip, errors,
// fold-in lists) is checked by the Recommender contract (models/catalog.test.ts); these tests are item-kNN's own.
const BLOCKS = 3;
const ITEMS_PER_BLOCK = 4;
const USERS_PER_BLOCK = 6;

/**
 * Block structure: user j of block b has every item of block b except item b·4 + (j mod 4), and nothing outside
 * the block. So every item's neighbours are in its block, and each user's best recommendation is their missing item.
 */
function blocks(): { matrix: CsrMatrix; missing: (user: number) => number } {
  const rowIdx: number[] = [];
  const colIdx: number[] = [];
  const missing = (user: number) => Math.floor(user / USERS_PER_BLOCK) * ITEMS_PER_BLOCK + ((user % USERS_PER_BLOCK) % ITEMS_PER_BLOCK);
  for (let u = 0; u < BLOCKS * USERS_PER_BLOCK; u++) {
    const block = Math.floor(u / USERS_PER_BLOCK);
    for (let t = 0; t < ITEMS_PER_BLOCK; t++) {
      const item = block * ITEMS_PER_BLOCK + t;
      if (item === missing(u)) continue;
      rowIdx.push(u);
      colIdx.push(item);
    }
  }
  const matrix = csrFromCoo({
    rows: BLOCKS * USERS_PER_BLOCK,
    cols: BLOCKS * ITEMS_PER_BLOCK,
    rowIdx: Int32Array.from(rowIdx),
    colIdx: Int32Array.from(colIdx),
  });
  return { matrix, missing };
}

const blockOf = (item: number) => Math.floor(item / ITEMS_PER_BLOCK);
const allUsers = Int32Array.from({ length: BLOCKS * USERS_PER_BLOCK }, (_, u) => u);

describe('ItemKnnRecommender on a block structure', () => {
  const { matrix, missing } = blocks();

  it.each<ItemKnnWeighting>(['cosine', 'bm25', 'tfidf', 'none'])('recovers in-block neighbours and each user’s missing item (%s)', async (weighting) => {
    const model = new ItemKnnRecommender({ weighting });
    await model.fit(matrix);
    const similar = model.similarItems(
      Int32Array.from({ length: BLOCKS * ITEMS_PER_BLOCK }, (_, i) => i),
      4,
    );
    for (let item = 0; item < BLOCKS * ITEMS_PER_BLOCK; item++) {
      const row = [...similar.ids.subarray(item * 4, item * 4 + 4)];
      // Three in-block neighbours (never the item itself), then padding: no cross-block similarity exists.
      expect(row.slice(0, 3).map(blockOf)).toEqual([blockOf(item), blockOf(item), blockOf(item)]);
      expect(row).not.toContain(item);
      expect(row[3]).toBe(-1);
    }
    const top = model.recommend(allUsers, { k: 2, exclude: matrix });
    for (const u of allUsers) {
      expect([...top.ids.subarray(u * 2, u * 2 + 2)]).toEqual([missing(u), -1]);
    }
  });

  it('keeps only the requested number of neighbours per item', async () => {
    const model = new ItemKnnRecommender({ neighbours: 2 });
    await model.fit(matrix);
    const similar = model.similarItems(Int32Array.of(0, 5), 3);
    expect([...similar.ids.subarray(0, 3)].map((i) => (i < 0 ? -1 : blockOf(i)))).toEqual([0, 0, -1]);
    expect([...similar.ids.subarray(3, 6)].map((i) => (i < 0 ? -1 : blockOf(i)))).toEqual([1, 1, -1]);
  });
});

describe('ItemKnnRecommender arithmetic', () => {
  // Users × items (A = 0, B = 1): u0 = {A: 1, B: 1}, u1 = {B: 1}, u2 = {A: 3}.
  // Item vectors over users: A = (1, 0, 3), B = (1, 1, 0).
  //   cosine(A, B) = (1·1) / (√10 · √2) = 1/√20 = 0.223607;  raw dot ('none') = 1.
  // score(u, i) = Σ_j x(u, j) · sim(j, i): u2 → B = 3 · 0.223607 = 0.670820; u1 → A = 1 · 0.223607.
  const m = csrFromCoo({ rows: 3, cols: 2, rowIdx: Int32Array.of(0, 0, 1, 2), colIdx: Int32Array.of(0, 1, 1, 0), values: Float32Array.of(1, 1, 1, 3) });

  it('scores with value-weighted cosine neighbours', async () => {
    const model = new ItemKnnRecommender();
    await model.fit(m);
    const similar = model.similarItems(Int32Array.of(0), 1);
    expect(similar.ids[0]).toBe(1);
    expect(similar.scores[0]).toBeCloseTo(1 / Math.sqrt(20), 6);
    const top = model.recommend(Int32Array.of(2, 1, 0), { k: 1, exclude: m });
    expect([...top.ids]).toEqual([1, 0, -1]); // u0 has both items
    expect(top.scores[0]).toBeCloseTo(3 / Math.sqrt(20), 6);
    expect(top.scores[1]).toBeCloseTo(1 / Math.sqrt(20), 6);
  });

  it("uses raw dot products with weighting 'none', and honours candidates", async () => {
    const model = new ItemKnnRecommender({ weighting: 'none' });
    await model.fit(m);
    expect(model.similarItems(Int32Array.of(1), 1).scores[0]).toBe(1);
    expect([...model.recommend(Int32Array.of(2), { k: 1, exclude: m, candidates: Int32Array.of(0) }).ids]).toEqual([-1]);
    expect([...model.recommend(Int32Array.of(2), { k: 1, exclude: m, candidates: Int32Array.of(1) }).ids]).toEqual([1]);
  });
});

describe('ItemKnnRecommender fold-in', () => {
  const { matrix } = blocks();

  it("scores a new user's history exactly as recommend scores a training user with that row", async () => {
    const model = new ItemKnnRecommender({ weighting: 'bm25', neighbours: 3 });
    await model.fit(matrix);
    for (const u of allUsers) {
      const row = csrRow(matrix, u);
      const folded = model.recommendFolded({ items: row.indices.slice(), values: row.data.slice() }, { k: 5 });
      expect(folded).toEqual(model.recommend(Int32Array.of(u), { k: 5, exclude: matrix }));
    }
  });

  it('weighs the history by its values, repeated items summed', async () => {
    // The arithmetic fixture above: cosine(A, B) = 1/√20. A new user with A twice (values 1 and 2) scores B at 3/√20.
    const m = csrFromCoo({ rows: 3, cols: 2, rowIdx: Int32Array.of(0, 0, 1, 2), colIdx: Int32Array.of(0, 1, 1, 0), values: Float32Array.of(1, 1, 1, 3) });
    const model = new ItemKnnRecommender();
    await model.fit(m);
    const top = model.recommendFolded({ items: Int32Array.of(0, 0), values: Float32Array.of(1, 2) }, { k: 2 });
    expect([...top.ids]).toEqual([1, -1]);
    expect(top.scores[0]).toBeCloseTo(3 / Math.sqrt(20), 6);
  });
});

describe('ItemKnnRecommender validation', () => {
  it('rejects bad params and malformed artifacts', async () => {
    expect(() => new ItemKnnRecommender({ neighbours: 0 })).toThrow(/neighbours must be a positive integer/);
    expect(() => new ItemKnnRecommender({ weighting: 'jaccard' as ItemKnnWeighting })).toThrow(/weighting must be one of/);
    expect(() => new ItemKnnRecommender({ b: 2 })).toThrow(/b must be in \[0, 1\]/);

    const model = new ItemKnnRecommender();
    await model.fit(blocks().matrix);
    const good = model.toArtifact();
    const badIndices = Int32Array.from(good.buffers.neighbourIndices!);
    badIndices[0] = 999;
    expect(() => ItemKnnRecommender.fromArtifact({ ...good, buffers: { ...good.buffers, neighbourIndices: badIndices } })).toThrow(
      /neighbours matrix is malformed \(validateCsr: row 0 has column 999/,
    );
    expect(() => ItemKnnRecommender.fromArtifact({ ...good, header: { ...good.header, kind: 'popular' } })).toThrow(/kind 'popular'/);
    const { historyValues: _dropped, ...withoutValues } = good.buffers;
    expect(() => ItemKnnRecommender.fromArtifact({ ...good, buffers: withoutValues })).toThrow(/history CSR buffers are missing/);
  });
});
