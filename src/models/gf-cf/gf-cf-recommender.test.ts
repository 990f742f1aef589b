import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import { csrFromCoo, csrRow, Rng, type CsrMatrix } from '../core/index.ts';
import { symmetricEigen } from '../core/symmetric-eigen.ts';
import { plantedBlocks } from '../core/test-fixtures.ts';
import { GfCfRecommender } from './gf-cf-recommender.ts';
import type { GfCfValues } from './gf-cf-params.ts';

// The behaviour every model shares (top-K rows, exclusion, candidates, round-trip, errors, fold-in lists) is checked
// by the Recommender contract (models/catalog.test.ts); these tests are GF-CF's own.

/** A small users × items matrix with values 1–3 and every user and item present. */
function small(users: number, items: number, seed: number): CsrMatrix {
  const rng = new Rng(seed);
  const r: number[] = [];
  const c: number[] = [];
  const v: number[] = [];
  for (let u = 0; u < users; u++) {
    for (let i = 0; i < items; i++) {
      if (rng.next() < 0.35 || i === u % items || u === i % users) {
        r.push(u);
        c.push(i);
        v.push(1 + rng.int(0, 3));
      }
    }
  }
  return csrFromCoo({ rows: users, cols: items, rowIdx: Int32Array.from(r), colIdx: Int32Array.from(c), values: Float32Array.from(v) });
}

/**
 * The formula, densely and naively: R̃ = D_U^{-1/2} R D_I^{-1/2}; V_k the top-k eigenvectors of R̃ᵀR̃ (its right
 * singular vectors); scores S = R R̃ᵀR̃ + α R D_I^{-1/2} V_k V_kᵀ D_I^{1/2}, all users at once (users × items).
 */
function naiveScores(m: CsrMatrix, rank: number, alpha: number, values: GfCfValues): Float64Array {
  const { rows: nu, cols: ni } = m;
  const r = new Float64Array(nu * ni);
  for (let u = 0; u < nu; u++) for (let e = m.indptr[u]!; e < m.indptr[u + 1]!; e++) r[u * ni + m.indices[e]!] = values === 'binary' ? 1 : m.data[e]!;
  const du = Array.from({ length: nu }, (_, u) => r.subarray(u * ni, (u + 1) * ni).reduce((s, x) => s + x, 0));
  const di = Array.from({ length: ni }, (_, i) => Array.from({ length: nu }, (_, u) => r[u * ni + i]!).reduce((s, x) => s + x, 0));
  const norm = r.map((x, p) => x / Math.sqrt(du[Math.floor(p / ni)]!) / Math.sqrt(di[p % ni]!));
  const gram = new Float64Array(ni * ni);
  for (let i = 0; i < ni; i++)
    for (let j = 0; j < ni; j++) for (let u = 0; u < nu; u++) gram[i * ni + j] = gram[i * ni + j]! + norm[u * ni + i]! * norm[u * ni + j]!;
  const { vectors } = symmetricEigen(gram, ni);
  const filter = new Float64Array(ni * ni);
  for (let i = 0; i < ni; i++) {
    for (let j = 0; j < ni; j++) {
      let low = 0;
      for (let t = 0; t < rank; t++) low += vectors[i * ni + t]! * vectors[j * ni + t]!;
      filter[i * ni + j] = gram[i * ni + j]! + (alpha * low * Math.sqrt(di[j]!)) / Math.sqrt(di[i]!);
    }
  }
  const scores = new Float64Array(nu * ni);
  for (let u = 0; u < nu; u++)
    for (let i = 0; i < ni; i++) for (let j = 0; j < ni; j++) scores[u * ni + j] = scores[u * ni + j]! + r[u * ni + i]! * filter[i * ni + j]!;
  return scores;
}

const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);

describe('GfCfRecommender against the formula', () => {
  const m = small(14, 9, 5);

  it.each<[GfCfValues, number, number]>([
    ['binary', 3, 0.3],
    ['weighted', 4, 1.5],
    ['binary', 9, 0],
  ])('scores every item as a dense computation of the paper’s formula does (%s, rank %i, α %f)', async (values, rank, alpha) => {
    const model = new GfCfRecommender({ rank, alpha, values, powerIterations: 8 });
    await model.fit(m, { seed: 3 });
    const expected = naiveScores(m, rank, alpha, values);
    const top = model.recommend(all(m.rows), { k: m.cols });
    for (let u = 0; u < m.rows; u++) {
      for (let r = 0; r < m.cols; r++) {
        const i = top.ids[u * m.cols + r]!;
        expect(top.scores[u * m.cols + r]).toBeCloseTo(expected[u * m.cols + i]!, 4);
      }
    }
  });

  it.each<GfCfValues>(['binary', 'weighted'])('scores a block of users as it scores each alone (%s)', async (values) => {
    const big = small(70, 40, 8);
    const model = new GfCfRecommender({ rank: 6, alpha: 0.5, values });
    await model.fit(big, { seed: 2 });
    const block = model.recommend(all(big.rows), { k: big.cols, exclude: big });
    for (const u of all(big.rows)) {
      const alone = model.recommend(Int32Array.of(u), { k: big.cols, exclude: big });
      const at = u * big.cols;
      const scoreOf = new Map([...alone.ids].map((id, r) => [id, alone.scores[r]!]));
      for (let r = 0; r < big.cols; r++) {
        const id = block.ids[at + r]!;
        if (id < 0) expect(alone.ids[r]).toBe(-1);
        else expect(block.scores[at + r]).toBeCloseTo(scoreOf.get(id)!, 5);
      }
    }
  });

  it('scores a new user’s history exactly as a training user with that row, and similar items as a one-item history', async () => {
    const model = new GfCfRecommender({ rank: 4 });
    await model.fit(m);
    for (const u of all(m.rows)) {
      const row = csrRow(m, u);
      const folded = model.recommendFolded({ items: row.indices.slice(), values: row.data.slice() }, { k: 5 });
      expect(folded).toEqual(model.recommend(Int32Array.of(u), { k: 5, exclude: m }));
    }
    const similar = model.similarItems(Int32Array.of(2), 4);
    const folded = model.recommendFolded({ items: Int32Array.of(2), values: Float32Array.of(1) }, { k: 4 });
    expect(similar).toEqual(folded);
  });
});

describe('GfCfRecommender on planted blocks', () => {
  const planted = plantedBlocks({ users: 90, items: 36, blocks: 3, density: 0.5, seed: 2 });
  const users = all(90);

  /** Share of users whose held-out item ranks above every item of another block. */
  async function recovered(params: { rank: number; alpha: number }): Promise<number> {
    const model = new GfCfRecommender(params);
    await model.fit(planted.train, { seed: 1 });
    const top = model.recommend(users, { k: 36, exclude: planted.train });
    let hits = 0;
    for (const u of users) {
      const ranked = [...top.ids.subarray(u * 36, u * 36 + 36)].filter((i) => i >= 0);
      const firstOutside = ranked.findIndex((i) => planted.blockOfItem(i) !== planted.blockOfUser(u));
      if (ranked.indexOf(planted.heldOut[u]![0]!) < (firstOutside < 0 ? ranked.length : firstOutside)) hits++;
    }
    return hits / users.length;
  }

  it('recovers them with the linear filter alone (α = 0)', async () => {
    expect(await recovered({ rank: 3, alpha: 0 })).toBe(1);
  });

  it('recovers them with the low-pass filter dominating at a rank equal to the blocks (α = 100)', async () => {
    expect(await recovered({ rank: 3, alpha: 100 })).toBeGreaterThanOrEqual(0.97);
  });
});

describe('GfCfRecommender validation', () => {
  it('refuses a rank above min(users, items) before fitting, and bad params at construction', async () => {
    const m = small(14, 9, 1);
    const model = new GfCfRecommender({ rank: 10 });
    await expect(model.fit(m)).rejects.toThrow(ValidationError);
    await expect(model.fit(m)).rejects.toThrow(/GF-CF rank 10 is above min\(users, items\) = min\(14, 9\) = 9/);
    expect(() => new GfCfRecommender({ rank: 0 })).toThrow(/GF-CF rank must be an integer/);
    // The default rank (256) was not asked for: on a small matrix it is lowered to min(users, items) and recorded.
    const defaults = new GfCfRecommender();
    await defaults.fit(m);
    expect(defaults.params.rank).toBe(9);
    expect(defaults.toArtifact().header.shapes['vectors']).toEqual([9, 9]);
    expect(defaults.recommend(Int32Array.of(0), { k: 3 }).ids.length).toBe(3);
    expect(() => new GfCfRecommender({ alpha: -1 })).toThrow(/GF-CF alpha must be a number/);
    expect(() => new GfCfRecommender({ values: 'log' as GfCfValues })).toThrow(/values must be 'binary' or 'weighted'/);
  });

  it('refuses an artifact whose vectors do not match its shapes', async () => {
    const model = new GfCfRecommender({ rank: 3 });
    await model.fit(small(14, 9, 1));
    const good = model.toArtifact();
    expect(() => GfCfRecommender.fromArtifact({ ...good, buffers: { ...good.buffers, vectors: new Float32Array(5) } })).toThrow(
      /vectors has 5 values, expected items × rank = 9 × 3/,
    );
    expect(() => GfCfRecommender.fromArtifact({ ...good, header: { ...good.header, kind: 'als' } })).toThrow(/kind 'als'/);
  });
});
