import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import { decodeArtifact, encodeArtifact } from './artifact-codec.ts';
import { csrFromCoo, csrRow, csrRowSet } from './csr-ops.ts';
import type { CsrMatrix } from './csr.ts';
import type { FitOptions, ModelArtifact, Recommender, TopK } from './recommender.ts';
import { Rng } from './rng.ts';
import { plantedBlocks } from './test-fixtures.ts';

/** What the contract needs of a model kind: a new unfitted model, and the loader of its artifacts. */
export interface RecommenderContractSubject {
  /** A new, unfitted model, with parameters under which it can recover the planted structure below. */
  create(): Recommender;
  /** The model an artifact describes (the catalogue's `recommenderFromArtifact`). */
  fromArtifact(artifact: ModelArtifact): Recommender;
}

/**
 * The planted structure every model is fitted on: 120 users and 40 items in 4 blocks; each user interacts only
 * with items of their own block (density 0.4) and one of those is held out. The known answer: a user's held-out
 * item ranks above every item of the other blocks. Users' regions are their blocks, the side information a
 * non-personalised model (popularity per region) recovers the blocks from; the others ignore it.
 */
const planted = plantedBlocks({ users: 120, items: 40, blocks: 4, density: 0.4, seed: 11 });
const { train } = planted;
const USERS = train.rows;
const ITEMS = train.cols;
const allUsers = Int32Array.from({ length: USERS }, (_, u) => u);
const allItems = Int32Array.from({ length: ITEMS }, (_, i) => i);
const fitOptions: FitOptions = { seed: 1, threads: 1, userRegions: Int32Array.from(allUsers, planted.blockOfUser) };
/** Share of users whose held-out item must beat every other block's items (a random ranking manages about 1 in 30). */
const RECOVERY_FLOOR = 0.95;
/**
 * Mean share of a training user's top 5 that a new user with the same history must also get. The head of a list
 * is the user's unseen in-block items; past them come other blocks' items at near-zero scores, in no meaningful order.
 */
const FOLD_IN_OVERLAP_FLOOR = 0.8;

/**
 * The one behavioural suite every {@link Recommender} passes: planted-structure recovery, well-formed top-K rows,
 * exclusion, candidates, similar items, bit-identical artifact round-trips, determinism for a seed, the documented
 * errors on bad input, and fold-in where the model offers it. Run it once per model kind (see models/catalog.test.ts).
 */
export function runRecommenderContract(name: string, subject: RecommenderContractSubject): void {
  describe(`Recommender contract: ${name}`, () => {
    let model: Recommender;
    beforeAll(async () => {
      model = subject.create();
      await model.fit(train, fitOptions);
    });

    it('recovers the planted blocks: the held-out item ranks above every item of another block', () => {
      const top = model.recommend(allUsers, { k: ITEMS, exclude: train });
      let recovered = 0;
      for (let u = 0; u < USERS; u++) {
        const ranked = realIds(rowOf(top, u));
        const firstOutside = ranked.findIndex((i) => planted.blockOfItem(i) !== planted.blockOfUser(u));
        const limit = firstOutside < 0 ? ranked.length : firstOutside;
        if (planted.heldOut[u]!.every((i) => ranked.indexOf(i) >= 0 && ranked.indexOf(i) < limit)) recovered++;
      }
      expect(recovered / USERS).toBeGreaterThanOrEqual(RECOVERY_FLOOR);
    });

    it('returns well-formed rows: width min(k, items), best first, no repeats, finite scores, -1 padding only at the end', () => {
      for (const k of [1, 5, ITEMS, ITEMS + 7]) {
        for (const exclude of [train, undefined]) {
          const top = model.recommend(allUsers, { k, ...(exclude ? { exclude } : {}) });
          expect(top.k).toBe(Math.min(k, ITEMS));
          expect(top.ids.length).toBe(USERS * top.k);
          expect(top.scores.length).toBe(USERS * top.k);
          for (let q = 0; q < USERS; q++) expectWellFormed(rowOf(top, q), ITEMS);
        }
      }
      // A shorter list is the head of a longer one.
      const long = model.recommend(allUsers, { k: 12, exclude: train });
      const short = model.recommend(allUsers, { k: 4, exclude: train });
      for (let q = 0; q < USERS; q++) {
        expect(rowOf(short, q).ids).toEqual(rowOf(long, q).ids.subarray(0, 4));
        expect(rowOf(short, q).scores).toEqual(rowOf(long, q).scores.subarray(0, 4));
      }
    });

    it('never recommends an item of the user’s own exclude row, whatever the order of the users asked', () => {
      const exclude = withRandomItems(train, 0.25, 3);
      const reversed = allUsers.slice().reverse();
      const forward = model.recommend(allUsers, { k: ITEMS, exclude });
      const backward = model.recommend(reversed, { k: ITEMS, exclude });
      for (let q = 0; q < USERS; q++) {
        const u = reversed[q]!;
        const excluded = csrRowSet(exclude, u);
        const ids = realIds(rowOf(backward, q));
        expect(ids.filter((i) => excluded.has(i))).toEqual([]);
        expect(rowOf(backward, q).ids).toEqual(rowOf(forward, u).ids);
      }
    });

    it('keeps to the candidates, ranked as the full ranking ranks them, none missing when enough exist', () => {
      // Unsorted, with a repeat, from every block.
      const candidates = Int32Array.of(37, 2, 21, 9, 14, 30, 5, 2, 26, 11, 18, 33);
      const wanted = new Set(candidates);
      const full = model.recommend(allUsers, { k: ITEMS, exclude: train });
      const k = 5;
      const restricted = model.recommend(allUsers, { k, exclude: train, candidates });
      expect(restricted.k).toBe(k);
      for (let u = 0; u < USERS; u++) {
        const row = rowOf(restricted, u);
        expectWellFormed(row, ITEMS);
        const fullRow = rowOf(full, u);
        const fullScore = new Map(realIds(fullRow).map((i, r) => [i, fullRow.scores[r]!]));
        const rankable = realIds(fullRow).filter((i) => wanted.has(i));
        const ids = realIds(row);
        expect(ids.length).toBe(Math.min(k, rankable.length));
        expect(ids.every((i) => wanted.has(i) && fullScore.has(i))).toBe(true);
        ids.forEach((i, r) => expect(row.scores[r]).toBeCloseTo(fullScore.get(i)!, 4));
        // Nothing left out scores above what was kept.
        const lowest = ids.length > 0 ? row.scores[ids.length - 1]! : Infinity;
        for (const i of rankable) if (!ids.includes(i)) expect(fullScore.get(i)!).toBeLessThanOrEqual(lowest + 1e-5);
      }
      const none = model.recommend(allUsers.subarray(0, 3), { k, candidates: new Int32Array(0) });
      expect([...none.ids]).toEqual(new Array(3 * k).fill(-1));
    });

    it('answers similar items: width min(k, items − 1), never the item itself, best first, no repeats', () => {
      for (const k of [3, ITEMS + 3]) {
        const similar = model.similarItems(allItems, k);
        expect(similar.k).toBe(Math.min(k, ITEMS - 1));
        for (let q = 0; q < ITEMS; q++) {
          const row = rowOf(similar, q);
          expectWellFormed(row, ITEMS);
          expect(realIds(row)).not.toContain(q);
        }
      }
    });

    it('round-trips through the artifact codec: bit-identical recommendations, similar items and bytes', () => {
      const bytes = encodeArtifact(model.toArtifact());
      const restored = subject.fromArtifact(decodeArtifact(bytes));
      expect(restored.kind).toBe(model.kind);
      const candidates = Int32Array.of(3, 17, 25, 38);
      for (const options of [{ k: 10, exclude: train }, { k: ITEMS }, { k: 3, exclude: train, candidates }]) {
        expectSameTopK(restored.recommend(allUsers, options), model.recommend(allUsers, options));
      }
      expectSameTopK(restored.similarItems(allItems, 5), model.similarItems(allItems, 5));
      expect(typeof restored.recommendFolded).toBe(typeof model.recommendFolded);
      if (model.recommendFolded && restored.recommendFolded) {
        const history = historyOf(7);
        expectSameTopK(restored.recommendFolded(history, { k: 10 }), model.recommendFolded(history, { k: 10 }));
      }
      expect(encodeArtifact(restored.toArtifact())).toEqual(bytes);
    });

    it('fits the same model twice for a seed, bit for bit', async () => {
      const again = subject.create();
      await again.fit(train, fitOptions);
      expect(encodeArtifact(again.toArtifact())).toEqual(encodeArtifact(model.toArtifact()));
      expectSameTopK(again.recommend(allUsers, { k: 10, exclude: train }), model.recommend(allUsers, { k: 10, exclude: train }));
    });

    it('refuses bad input with the documented ValidationErrors', async () => {
      const unfitted = subject.create();
      const notFitted = /not fitted/;
      expectValidationError(() => unfitted.recommend(allUsers, { k: 1 }), notFitted);
      expectValidationError(() => unfitted.similarItems(allItems, 1), notFitted);
      expectValidationError(() => unfitted.toArtifact(), notFitted);
      if (unfitted.recommendFolded) expectValidationError(() => unfitted.recommendFolded!(historyOf(0), { k: 1 }), notFitted);

      for (const k of [0, -1, 1.5, Number.NaN]) {
        expectValidationError(() => model.recommend(allUsers, { k }), /k must be a positive integer/);
        expectValidationError(() => model.similarItems(allItems, k), /k must be a positive integer/);
        if (model.recommendFolded) expectValidationError(() => model.recommendFolded!(historyOf(0), { k }), /k must be a positive integer/);
      }
      for (const user of [-1, USERS]) expectValidationError(() => model.recommend(Int32Array.of(0, user), { k: 3 }), /user id -?\d+ is out of range/);
      for (const item of [-1, ITEMS]) {
        expectValidationError(() => model.similarItems(Int32Array.of(0, item), 3), /item id -?\d+ is out of range/);
        expectValidationError(() => model.recommend(allUsers, { k: 3, candidates: Int32Array.of(1, item) }), /candidate item id -?\d+ is out of range/);
        if (model.recommendFolded) {
          const bad = { items: Int32Array.of(1, item), values: Float32Array.of(1, 1) };
          expectValidationError(() => model.recommendFolded!(bad, { k: 3 }), /item id -?\d+ is out of range/);
        }
      }
      if (model.recommendFolded) {
        expectValidationError(() => model.recommendFolded!({ items: Int32Array.of(1, 2), values: Float32Array.of(1) }, { k: 3 }), /2 items but 1 values/);
      }
      const unsorted = { ...train, indices: train.indices.slice() };
      [unsorted.indices[0], unsorted.indices[1]] = [unsorted.indices[1]!, unsorted.indices[0]!];
      await expect(subject.create().fit(unsorted, fitOptions)).rejects.toBeInstanceOf(ValidationError);
    });

    // Only models with the capability: the others have nothing to run here (rather than skipped tests).
    if (subject.create().recommendFolded === undefined) return;
    describe('fold-in', () => {
      const users = Array.from({ length: 12 }, (_, n) => n * 10 + 3);

      it('gives a new user with the history of a training user a list close to theirs, the history excluded', () => {
        let overlap = 0;
        for (const u of users) {
          const history = historyOf(u);
          const folded = model.recommendFolded!(history, { k: 5 });
          expect(folded.k).toBe(5);
          expectWellFormed(rowOf(folded, 0), ITEMS);
          const ids = realIds(rowOf(folded, 0));
          expect(ids.filter((i) => history.items.includes(i))).toEqual([]);
          const own = realIds(rowOf(model.recommend(Int32Array.of(u), { k: 5, exclude: train }), 0));
          overlap += own.filter((i) => ids.includes(i)).length / Math.max(own.length, 1);
        }
        expect(overlap / users.length).toBeGreaterThanOrEqual(FOLD_IN_OVERLAP_FLOOR);
      });

      it('keeps to the candidates, counts a repeated item once in the exclusion, and takes an empty history', () => {
        const u = users[4]!;
        const history = historyOf(u);
        const candidates = Int32Array.of(39, 0, 1, 2, 25, 12, history.items[0]!);
        const folded = model.recommendFolded!(history, { k: 4, candidates });
        const ids = realIds(rowOf(folded, 0));
        const allowed = [...candidates].filter((i) => !history.items.includes(i));
        expect(ids.every((i) => allowed.includes(i))).toBe(true);
        const unrestricted = realIds(rowOf(model.recommendFolded!(history, { k: ITEMS }), 0));
        expect(ids.length).toBe(Math.min(4, unrestricted.filter((i) => allowed.includes(i)).length));

        const repeated = { items: Int32Array.of(...history.items, history.items[0]!), values: Float32Array.of(...history.values, 1) };
        expect(realIds(rowOf(model.recommendFolded!(repeated, { k: ITEMS }), 0)).filter((i) => history.items.includes(i))).toEqual([]);

        const empty = model.recommendFolded!({ items: new Int32Array(0), values: new Float32Array(0) }, { k: ITEMS + 5 });
        expect(empty.k).toBe(ITEMS);
        expectWellFormed(rowOf(empty, 0), ITEMS);
      });
    });
  });
}

interface Row {
  readonly ids: Int32Array;
  readonly scores: Float32Array;
}

function rowOf(top: TopK, q: number): Row {
  return { ids: top.ids.subarray(q * top.k, (q + 1) * top.k), scores: top.scores.subarray(q * top.k, (q + 1) * top.k) };
}

/** The row's ids before its padding. */
function realIds(row: Row): number[] {
  const end = row.ids.indexOf(-1);
  return [...row.ids.subarray(0, end < 0 ? row.ids.length : end)];
}

function expectWellFormed(row: Row, items: number): void {
  const ids = realIds(row);
  expect([...row.ids.subarray(ids.length)].every((i) => i === -1)).toBe(true);
  expect([...row.scores.subarray(ids.length)].every((s) => s === -Infinity)).toBe(true);
  expect(ids.every((i) => Number.isInteger(i) && i >= 0 && i < items)).toBe(true);
  expect(new Set(ids).size).toBe(ids.length);
  for (let r = 0; r < ids.length; r++) {
    expect(Number.isFinite(row.scores[r]!)).toBe(true);
    if (r > 0) expect(row.scores[r]!).toBeLessThanOrEqual(row.scores[r - 1]!);
  }
}

function expectSameTopK(actual: TopK, expected: TopK): void {
  expect(actual.k).toBe(expected.k);
  expect(actual.ids).toEqual(expected.ids);
  expect(actual.scores).toEqual(expected.scores);
}

function expectValidationError(action: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    action();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(ValidationError);
  expect((thrown as Error).message).toMatch(message);
}

/** Training user u's interactions, as a new user would bring them. */
function historyOf(u: number): { items: Int32Array; values: Float32Array } {
  const row = csrRow(train, u);
  return { items: row.indices.slice(), values: row.data.slice() };
}

/** `m` plus, in every row, each other item with probability `share`: per-user exclusion sets that differ. */
function withRandomItems(m: CsrMatrix, share: number, seed: number): CsrMatrix {
  const rng = new Rng(seed);
  const rowIdx: number[] = [];
  const colIdx: number[] = [];
  for (let u = 0; u < m.rows; u++) {
    const own = csrRowSet(m, u);
    for (let i = 0; i < m.cols; i++) {
      if (own.has(i) || rng.next() < share) {
        rowIdx.push(u);
        colIdx.push(i);
      }
    }
  }
  return csrFromCoo({ rows: m.rows, cols: m.cols, rowIdx: Int32Array.from(rowIdx), colIdx: Int32Array.from(colIdx) });
}
