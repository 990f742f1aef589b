import { describe, expect, it } from 'vitest';
import { csrRow, type CsrMatrix } from '../models/core/index.ts';
import { randomSplit, SplitSide, temporalSplit } from './split.ts';

const row = (m: CsrMatrix, u: number) => [...csrRow(m, u).indices];

// User 0: 10 interactions on items 0..9, given out of time order; times = 10 · (item + 1), so items 8 and 9 are latest.
// User 1: 4 interactions (fewer than minInteractions = 5) → all train.
// User 2: 5 interactions, times [1, 2, 3, 3, 3] on items 10..14: floor(0.2 · 5) = 1 held out; the three at time 3
//         tie, and the one latest in input order (item 14) counts as latest.
const user0Items = [3, 9, 0, 8, 1, 5, 2, 7, 4, 6];
const interactions = {
  users: Int32Array.from([...user0Items.map(() => 0), 1, 1, 1, 1, 2, 2, 2, 2, 2]),
  items: Int32Array.from([...user0Items, 0, 1, 2, 3, 10, 11, 12, 13, 14]),
  times: Float64Array.from([...user0Items.map((i) => 10 * (i + 1)), 5, 6, 7, 8, 1, 2, 3, 3, 3]),
  nUsers: 3,
  nItems: 15,
};

describe('temporalSplit', () => {
  const { train, test, side } = temporalSplit(interactions);

  it('holds out the latest floor(0.2 · n) of each eligible user', () => {
    expect(row(test, 0)).toEqual([8, 9]);
    expect(row(train, 0)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(row(test, 2)).toEqual([14]);
    expect(row(train, 2)).toEqual([10, 11, 12, 13]);
  });

  it('keeps users with fewer than minInteractions entirely in train', () => {
    expect(row(test, 1)).toEqual([]);
    expect(row(train, 1)).toEqual([0, 1, 2, 3]);
  });

  it('puts every interaction on exactly one side, with no train time after a test time (no leakage)', () => {
    expect(side.length).toBe(interactions.users.length);
    expect(train.indices.length + test.indices.length).toBe(interactions.users.length);
    for (let u = 0; u < 3; u++) {
      let latestTrain = -Infinity;
      let earliestTest = Infinity;
      for (let e = 0; e < side.length; e++) {
        if (interactions.users[e] !== u) continue;
        if (side[e] === SplitSide.train) latestTrain = Math.max(latestTrain, interactions.times[e]!);
        else earliestTest = Math.min(earliestTest, interactions.times[e]!);
      }
      expect(latestTrain).toBeLessThanOrEqual(earliestTest);
      const overlap = row(test, u).filter((i) => row(train, u).includes(i));
      expect(overlap).toEqual([]);
    }
  });

  it('drops a held-out repeat of a training item unless asked to keep it', () => {
    // One user, items [0, 1, 2, 3, 0] at times 1..5: the latest interaction repeats item 0, already in train.
    const repeat = {
      users: Int32Array.of(0, 0, 0, 0, 0),
      items: Int32Array.of(0, 1, 2, 3, 0),
      times: Float64Array.of(1, 2, 3, 4, 5),
      values: Float32Array.of(1, 1, 1, 1, 1),
      nUsers: 1,
      nItems: 4,
    };
    const dropped = temporalSplit(repeat);
    expect(row(dropped.test, 0)).toEqual([]);
    expect(dropped.train.data[0]).toBe(1); // the repeat does not leak into train either
    expect([...dropped.side]).toEqual([0, 0, 0, 0, SplitSide.droppedRepeat]);
    const kept = temporalSplit({ ...repeat, repeats: 'keep' });
    expect(row(kept.test, 0)).toEqual([0]);
  });

  it('honours testFraction and minInteractions, and validates its input', () => {
    const half = temporalSplit({ ...interactions, testFraction: 0.5, minInteractions: 2 });
    expect(row(half.test, 1)).toEqual([2, 3]); // floor(0.5 · 4) = 2 latest
    expect(() => temporalSplit({ ...interactions, times: new Float64Array(2) })).toThrow(/times has 2 entries/);
    expect(() => temporalSplit({ ...interactions, nItems: 5 })).toThrow(/item 9, outside \[0, 5\)/);
    expect(() => temporalSplit({ ...interactions, testFraction: 1 })).toThrow(/testFraction/);
  });
});

describe('randomSplit', () => {
  it('holds out the same number per user as the temporal split, reproducibly by seed', () => {
    const a = randomSplit({ ...interactions, seed: 1 });
    const b = randomSplit({ ...interactions, seed: 1 });
    expect([...a.side]).toEqual([...b.side]);
    expect(row(a.test, 0)).toHaveLength(2);
    expect(row(a.test, 1)).toHaveLength(0);
    expect(row(a.test, 2)).toHaveLength(1);
    expect(a.train.indices.length + a.test.indices.length).toBe(interactions.users.length);
    const differs = [2, 3, 4, 5, 6].some((seed) => row(randomSplit({ ...interactions, seed }).test, 0).join() !== row(a.test, 0).join());
    expect(differs).toBe(true);
  });
});
