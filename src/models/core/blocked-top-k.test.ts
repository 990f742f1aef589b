import { describe, expect, it } from 'vitest';
import { Rng } from '../../shared/rng.ts';
import { csrFromCoo } from './csr-ops.ts';
import type { CsrMatrix } from './csr.ts';
import { blockedTopK } from './blocked-top-k.ts';
import { recommendFromFactors, type FactorTables } from './factor-model.ts';
import { blockScorerFor } from './simd/score-block.ts';
import { allocateTopK } from './top-k.ts';
import type { TopK } from './recommender.ts';

/** Factor tables with random values, rows `duplicates[i]` copying row i (exact ties). */
function tables(o: { users: number; items: number; f: number; bias?: boolean; seed: number }): FactorTables {
  const rng = new Rng(o.seed);
  const userFactors = Float32Array.from({ length: o.users * o.f }, () => rng.normal());
  const itemFactors = Float32Array.from({ length: o.items * o.f }, () => rng.normal());
  // Items 1 and 2 copy item 0: their scores tie exactly, and the smaller id must come first.
  for (const copy of [1, 2]) itemFactors.copyWithin(copy * o.f, 0, o.f);
  const itemBias = o.bias ? Float32Array.from({ length: o.items }, () => rng.normal()) : undefined;
  return { users: o.users, items: o.items, factors: o.f, userFactors, itemFactors, ...(itemBias ? { itemBias } : {}) };
}

function randomExclusions(rng: Rng, users: number, items: number): CsrMatrix {
  const rowIdx: number[] = [];
  const colIdx: number[] = [];
  for (let u = 0; u < users; u++) {
    const n = rng.int(0, 40);
    for (let j = 0; j < n; j++) {
      rowIdx.push(u);
      colIdx.push(rng.int(0, items));
    }
  }
  return csrFromCoo({
    rows: users,
    cols: items,
    rowIdx: Int32Array.from(rowIdx),
    colIdx: Int32Array.from(colIdx),
    values: new Float32Array(rowIdx.length).fill(1),
  });
}

/** The naive reference: every score in double precision, excluded items dropped, sorted by score then id. */
function naiveTop(model: FactorTables, u: number, k: number, exclude?: CsrMatrix): number[] {
  const { factors: f, items } = model;
  const seen = new Set<number>();
  if (exclude) for (let p = exclude.indptr[u]!; p < exclude.indptr[u + 1]!; p++) seen.add(exclude.indices[p]!);
  const scored: [number, number][] = [];
  for (let i = 0; i < items; i++) {
    if (seen.has(i)) continue;
    let s = model.itemBias ? model.itemBias[i]! : 0;
    for (let c = 0; c < f; c++) s += model.userFactors[u * f + c]! * model.itemFactors[i * f + c]!;
    scored.push([s, i]);
  }
  scored.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const ids = scored.slice(0, k).map(([, i]) => i);
  return [...ids, ...new Array<number>(k - ids.length).fill(-1)];
}

function row(top: TopK, q: number): { ids: number[]; scores: number[] } {
  return { ids: [...top.ids.subarray(q * top.k, (q + 1) * top.k)], scores: [...top.scores.subarray(q * top.k, (q + 1) * top.k)] };
}

describe('blocked top-K scoring (blocks of users × tiles of items)', () => {
  // 1 100 items at 64 factors span three tiles; 150 users span three blocks, the last not a multiple of 4.
  for (const { items, f, bias } of [
    { items: 1100, f: 64, bias: false },
    { items: 37, f: 6, bias: true },
    { items: 9, f: 3, bias: false },
  ]) {
    it(`gives each user the list that scoring one user at a time gives (${items} items, ${f} factors${bias ? ', item bias' : ''})`, () => {
      const rng = new Rng(items);
      const model = tables({ users: 150, items, f, bias, seed: items });
      const exclude = randomExclusions(rng, 150, items);
      const users = Int32Array.from({ length: 150 }, (_, q) => (q * 7) % 150);
      const k = Math.min(10, items);
      const blocked = recommendFromFactors(model, users, { k, exclude });
      for (let q = 0; q < users.length; q++) {
        const one = recommendFromFactors(model, users.subarray(q, q + 1), { k, exclude });
        const got = row(blocked, q);
        expect(got.ids).toEqual(row(one, 0).ids);
        expect(got.ids).toEqual(naiveTop(model, users[q]!, k, exclude));
        for (let r = 0; r < k; r++) expect(got.scores[r]).toBeCloseTo(row(one, 0).scores[r]!, 4);
      }
    });
  }

  it('puts tied items in id order, and never recommends an excluded item or a NaN score', () => {
    const model = tables({ users: 8, items: 50, f: 8, seed: 3 });
    // Make items 0–2 (identical) everyone's best, then exclude item 1 for user 5 and poison item 7.
    for (let c = 0; c < 8; c++) model.itemFactors[c] = model.itemFactors[8 + c] = model.itemFactors[16 + c] = 0;
    const users = Int32Array.from({ length: 8 }, (_, u) => u);
    for (let u = 0; u < 8; u++) for (let c = 0; c < 8; c++) model.userFactors[u * 8 + c] = 0.01;
    const itemFactors = model.itemFactors;
    for (let c = 0; c < 8; c++) {
      itemFactors[c] = itemFactors[8 + c] = itemFactors[16 + c] = 100;
      itemFactors[7 * 8 + c] = Number.NaN;
    }
    const exclude = csrFromCoo({ rows: 8, cols: 50, rowIdx: Int32Array.of(5), colIdx: Int32Array.of(1), values: Float32Array.of(1) });
    const top = recommendFromFactors(model, users, { k: 5, exclude });
    for (let u = 0; u < 8; u++) {
      const { ids } = row(top, u);
      expect(ids.slice(0, u === 5 ? 2 : 3)).toEqual(u === 5 ? [0, 2] : [0, 1, 2]);
      expect(ids).not.toContain(7);
    }
  });

  it('pads a row with -1 / -Infinity when fewer items than k are left', () => {
    const model = tables({ users: 3, items: 4, f: 4, seed: 5 });
    const exclude = csrFromCoo({ rows: 3, cols: 4, rowIdx: Int32Array.of(0, 0, 0), colIdx: Int32Array.of(0, 1, 3), values: Float32Array.of(1, 1, 1) });
    const top = recommendFromFactors(model, Int32Array.of(0, 1, 2), { k: 4, exclude });
    expect(row(top, 0).ids).toEqual([2, -1, -1, -1]);
    expect(row(top, 0).scores.slice(1)).toEqual([-Infinity, -Infinity, -Infinity]);
    expect(row(top, 1).ids.filter((i) => i >= 0)).toHaveLength(4);
  });

  it('breaks a tie for the last place by the smaller id although items come in order of their norms', () => {
    // Item 1 (norm 2) comes before item 0 (norm √2); both score 2 for users (1, 1), and item 0 must win.
    const model: FactorTables = {
      users: 3,
      items: 2,
      factors: 2,
      userFactors: Float32Array.of(1, 1, 1, 1, 1, 1),
      itemFactors: Float32Array.of(1, 1, 2, 0),
    };
    const top = recommendFromFactors(model, Int32Array.of(0, 1, 2), { k: 1 });
    expect([...top.ids]).toEqual([0, 0, 0]);
    expect([...top.scores]).toEqual([2, 2, 2]);
  });

  for (const bias of [false, true]) {
    it(`stops a block where no item left can enter its users' lists, with the exact lists (item norms spread as popularity spreads them${bias ? ', item bias' : ''})`, () => {
      const users = 300;
      const items = 4000;
      const f = 16;
      const rng = new Rng(bias ? 11 : 12);
      const model = tables({ users, items, f, bias, seed: 7 });
      // As in a fitted model, the first factor carries popularity: every user leans towards it, and popular
      // items have long factor vectors (item i scaled by a power law of a random rank).
      for (const table of [model.userFactors, model.itemFactors]) for (let q = 0; q < table.length; q++) table[q]! *= q % f === 0 ? 1 : 0.3;
      for (let u = 0; u < users; u++) model.userFactors[u * f]! += 4;
      for (let i = 0; i < items; i++) model.itemFactors[i * f]! += 4;
      const rank = Int32Array.from({ length: items }, (_, i) => i);
      for (let i = items - 1; i > 0; i--) {
        const j = rng.int(0, i + 1);
        [rank[i], rank[j]] = [rank[j]!, rank[i]!];
      }
      for (let i = 0; i < items; i++) for (let c = 0; c < f; c++) model.itemFactors[i * f + c]! *= 10 / (rank[i]! + 10);
      if (model.itemBias) for (let i = 0; i < items; i++) model.itemBias[i]! *= 0.01;
      const exclude = randomExclusions(rng, users, items);
      const ids = Int32Array.from({ length: users }, (_, u) => u);
      const k = 10;
      const out = allocateTopK(users, k);
      const scorer = blockScorerFor(model.itemFactors, items, f, model.itemBias);
      if (!scorer) throw new Error('WebAssembly SIMD is needed for this test');
      const scored = blockedTopK({ scorer, users: ids, userFactors: model.userFactors, items, exclude, k, out });
      for (let u = 0; u < users; u++) expect(row(out, u).ids, `user ${u}`).toEqual(naiveTop(model, u, k, exclude));
      expect(scored).toBeLessThan((users * items) / 4);
    });
  }

  it('scores every item when the norms bound nothing (NaN or infinite factors)', () => {
    const model = tables({ users: 70, items: 600, f: 4, seed: 9 });
    model.userFactors[0] = Number.POSITIVE_INFINITY;
    const scorer = blockScorerFor(model.itemFactors, 600, 4);
    if (!scorer) throw new Error('WebAssembly SIMD is needed for this test');
    const out = allocateTopK(70, 5);
    const scored = blockedTopK({ scorer, users: Int32Array.from({ length: 70 }, (_, u) => u), userFactors: model.userFactors, items: 600, k: 5, out });
    // The first block (64 users, one of them unbounded) scores everything; the second may stop.
    expect(scored).toBeGreaterThanOrEqual(64 * 600);
    for (let u = 1; u < 70; u++) expect(row(out, u).ids).toEqual(naiveTop(model, u, 5));
  });

  it('does not stop before an item whose score reaches its bound (‖x_u‖ ‖y_i‖, the item parallel to the user)', () => {
    // At 64 factors a tile holds 512 items, after a first tile of 8: the 520 long items (norm 10, score 0.99 for
    // users (1, 0, …)) fill exactly the first two, and the short item 520 (norm 1) starts the third, scoring
    // exactly its bound, 1: the check before that tile must let it through.
    const f = 64;
    const items = 521;
    const itemFactors = new Float32Array(items * f);
    for (let i = 0; i < 520; i++) itemFactors.set([0.99, Math.sqrt(100 - 0.99 * 0.99)], i * f);
    itemFactors[520 * f] = 1;
    const userFactors = new Float32Array(2 * f);
    userFactors[0] = userFactors[f] = 1;
    const top = recommendFromFactors({ users: 2, items, factors: f, userFactors, itemFactors }, Int32Array.of(0, 1), { k: 1 });
    expect([...top.ids]).toEqual([520, 520]);
  });
});
