import { describe, expect, it } from 'vitest';
import { csrFromCoo, csrRow, type CsrMatrix } from '../core/index.ts';
import { plantedBlocks } from '../core/test-fixtures.ts';
import { Rp3betaRecommender } from './rp3beta-recommender.ts';
import { rp3betaDefaults, type Rp3betaParams } from './rp3beta-params.ts';
import { rp3betaTransitions } from './rp3beta-transitions.ts';

// The behaviour every model shares (planted structure, top-K rows, exclusion, candidates, round-trip, errors,
// fold-in lists) is checked by the Recommender contract (models/catalog.test.ts); these tests are RP3beta's own.

/** W as a map "i→j" → value, for comparing with hand-computed entries. */
function entries(w: CsrMatrix): Record<string, number> {
  const out: Record<string, number> = {};
  for (let i = 0; i < w.rows; i++) {
    const row = csrRow(w, i);
    row.indices.forEach((j, q) => (out[`${i}→${j}`] = row.data[q]!));
  }
  return out;
}

function expectEntries(w: CsrMatrix, expected: Record<string, number>): void {
  const actual = entries(w);
  expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
  for (const [key, value] of Object.entries(expected)) expect(actual[key]).toBeCloseTo(value, 6);
}

describe('rp3betaTransitions on a hand-computed case', () => {
  // Users × items A = 0, B = 1, C = 2, with values: u0 = {A: 3, B: 1}, u1 = {A: 1, C: 1}, u2 = {B: 2}.
  //   P_ui (rows of values over their sums): u0 → A .75, B .25;  u1 → A .5, C .5;  u2 → B 1.
  //   P_iu (rows of the 0/1 item-user matrix): A → u0 .5, u1 .5;  B → u0 .5, u2 .5;  C → u1 1.
  //   popularity (users): A 2, B 2, C 1.
  // W(i, j) = Σ_u P_iu^α P_uj^α / pop(j)^β, without the diagonal:
  //   α = 1: A→B = .5·.25 = .125, A→C = .5·.5 = .25, B→A = .5·.75 = .375, C→A = 1·.5 = .5 (B→C, C→B: no path).
  const m = csrFromCoo({
    rows: 3,
    cols: 3,
    rowIdx: Int32Array.of(0, 0, 1, 1, 2),
    colIdx: Int32Array.of(0, 1, 0, 2, 1),
    values: Float32Array.of(3, 1, 1, 1, 2),
  });
  const params = (p: Partial<Rp3betaParams>): Rp3betaParams => ({ ...rp3betaDefaults, ...p });

  it('is the two-step walk with α = 1 and β = 0', () => {
    expectEntries(rp3betaTransitions(m, params({ alpha: 1, beta: 0 })), { '0→1': 0.125, '0→2': 0.25, '1→0': 0.375, '2→0': 0.5 });
  });
  it('raises every step probability to α', () => {
    // α = 2: P_ui² u0 → A .5625, B .0625; u1 → A .25, C .25. P_iu² A → .25, .25; B → .25, .25; C → 1.
    expectEntries(rp3betaTransitions(m, params({ alpha: 2, beta: 0 })), { '0→1': 0.015625, '0→2': 0.0625, '1→0': 0.140625, '2→0': 0.25 });
  });
  it('divides arrivals by popularity^β, keeps the top K per row, and optionally rescales rows to sum 1', () => {
    // β = 1: A→B = .125/2, A→C = .25/1, B→A = .375/2, C→A = .5/2.
    const penalised = { '0→1': 0.0625, '0→2': 0.25, '1→0': 0.1875, '2→0': 0.25 };
    expectEntries(rp3betaTransitions(m, params({ alpha: 1, beta: 1 })), penalised);
    expectEntries(rp3betaTransitions(m, params({ alpha: 1, beta: 1, neighbours: 1 })), { '0→2': 0.25, '1→0': 0.1875, '2→0': 0.25 });
    // Row A sums to .3125: B .2, C .8; rows B and C hold one entry each.
    expectEntries(rp3betaTransitions(m, params({ alpha: 1, beta: 1, normalization: 'l1' })), { '0→1': 0.2, '0→2': 0.8, '1→0': 1, '2→0': 1 });
  });
  it('scores a user as their values times W, and similar items as W’s rows', async () => {
    const model = new Rp3betaRecommender({ alpha: 1, beta: 1 });
    await model.fit(m);
    // u2 = {B: 2}: A scores 2 · W(B, A) = .375; C is unreachable from B.
    const top = model.recommend(Int32Array.of(2), { k: 2, exclude: m });
    expect([...top.ids]).toEqual([0, -1]);
    expect(top.scores[0]).toBeCloseTo(0.375, 6);
    const similar = model.similarItems(Int32Array.of(0), 2);
    expect([...similar.ids]).toEqual([2, 1]);
    // A user (fold-in) with A and C: B = 1·W(A, B) + 1·W(C, B) = .0625.
    const folded = model.recommendFolded({ items: Int32Array.of(0, 2), values: Float32Array.of(1, 1) }, { k: 3 });
    expect([...folded.ids]).toEqual([1, -1, -1]);
    expect(folded.scores[0]).toBeCloseTo(0.0625, 6);
  });
  it('ignores non-positive values as edges of the walk', () => {
    const withDislike = csrFromCoo({
      rows: 4,
      cols: 3,
      rowIdx: Int32Array.of(0, 0, 1, 1, 2, 3, 3),
      colIdx: Int32Array.of(0, 1, 0, 2, 1, 1, 2),
      values: Float32Array.of(3, 1, 1, 1, 2, -1, 0),
    });
    expect(entries(rp3betaTransitions(withDislike, params({ alpha: 1, beta: 1 })))).toEqual(entries(rp3betaTransitions(m, params({ alpha: 1, beta: 1 }))));
  });
});

describe('RP3beta popularity penalty', () => {
  // Item P (0) is in every user's history; X (1) is the query user's item; N (2) is a niche item seen once, with X.
  // From X the walk reaches P with probability 1/3 (via u1 and u2) and N with 1/6 (via u3): with β = 0 the popular
  // item wins; with β = 1, P's arrival is divided by its 11 users and N's by 1, and N ranks first.
  const rows: [number, number[]][] = [
    [0, [1]],
    [1, [0, 1]],
    [2, [0, 1]],
    [3, [1, 2]],
    ...Array.from({ length: 8 }, (_, t): [number, number[]] => [4 + t, [0, 3 + t]]),
  ];
  const rowIdx = rows.flatMap(([u, items]) => items.map(() => u));
  const colIdx = rows.flatMap(([, items]) => items);
  const m = csrFromCoo({ rows: 12, cols: 11, rowIdx: Int32Array.from(rowIdx), colIdx: Int32Array.from(colIdx) });

  it.each([
    [0, [0, 2]],
    [1, [2, 0]],
  ])('with β = %d ranks the query user’s candidates %o', async (beta, expected) => {
    const model = new Rp3betaRecommender({ alpha: 1, beta });
    await model.fit(m);
    expect([...model.recommend(Int32Array.of(0), { k: 2, exclude: m }).ids]).toEqual(expected);
  });
});

describe('RP3beta on a planted block structure', () => {
  const planted = plantedBlocks({ users: 90, items: 30, blocks: 3, density: 0.5, seed: 4 });
  it('links each item only within its block and recommends each user’s held-out item before any other block’s', async () => {
    const model = new Rp3betaRecommender();
    await model.fit(planted.train);
    const similar = model.similarItems(
      Int32Array.from({ length: 30 }, (_, i) => i),
      29,
    );
    for (let i = 0; i < 30; i++) {
      const ids = [...similar.ids.subarray(i * 29, (i + 1) * 29)].filter((j) => j >= 0);
      expect(ids.length).toBeGreaterThan(0);
      expect(ids.every((j) => planted.blockOfItem(j) === planted.blockOfItem(i))).toBe(true);
    }
    const users = Int32Array.from({ length: 90 }, (_, u) => u);
    const top = model.recommend(users, { k: 10, exclude: planted.train });
    for (const u of users) {
      const ids = [...top.ids.subarray(u * 10, (u + 1) * 10)].filter((j) => j >= 0);
      expect(ids.every((j) => planted.blockOfItem(j) === planted.blockOfUser(u))).toBe(true);
      expect(ids).toContain(planted.heldOut[u]![0]);
    }
  });
});

describe('RP3beta validation', () => {
  it('refuses bad params before fitting', () => {
    expect(() => new Rp3betaRecommender({ alpha: -0.1 })).toThrow(/RP3beta alpha must be a number in \[0, 10\]/);
    expect(() => new Rp3betaRecommender({ beta: Number.NaN })).toThrow(/RP3beta beta must be a number/);
    expect(() => new Rp3betaRecommender({ neighbours: 0 })).toThrow(/RP3beta neighbours must be an integer in \[1,/);
    expect(() => new Rp3betaRecommender({ normalization: 'l2' as never })).toThrow(/RP3beta normalization must be 'none' or 'l1'/);
  });
  it('refuses an artifact of another kind or with a malformed neighbour matrix', async () => {
    const model = new Rp3betaRecommender();
    await model.fit(plantedBlocks({ users: 30, items: 12, blocks: 3, density: 0.5, seed: 1 }).train);
    const good = model.toArtifact();
    expect(() => Rp3betaRecommender.fromArtifact({ ...good, header: { ...good.header, kind: 'item-knn' } })).toThrow(/kind 'item-knn'/);
    const bad = Int32Array.from(good.buffers.neighbourIndices!);
    bad[0] = 99;
    expect(() => Rp3betaRecommender.fromArtifact({ ...good, buffers: { ...good.buffers, neighbourIndices: bad } })).toThrow(/neighbours matrix is malformed/);
    expect(() => Rp3betaRecommender.fromArtifact({ ...good, header: { ...good.header, params: { ...good.header.params, beta: -1 } } })).toThrow(/RP3beta beta/);
  });
});
