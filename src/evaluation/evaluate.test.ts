import { describe, expect, it } from 'vitest';
import { allocateTopK, csrFromCoo, csrRow, type CsrMatrix, type RecommendOptions, type Recommender, type TopK } from '../models/core/index.ts';
import { rankingMetricsAtK } from './evaluate.ts';

/** A Recommender that answers each user with `listFor(user)`, and records its calls. */
function stub(listFor: (user: number) => number[]): Recommender & { calls: { users: number[]; options: RecommendOptions }[] } {
  const calls: { users: number[]; options: RecommendOptions }[] = [];
  return {
    kind: 'popular',
    calls,
    fit: async () => ({ epochs: 0, seconds: 0, stoppedEarly: false }),
    recommend(users: Int32Array, options: RecommendOptions): TopK {
      calls.push({ users: [...users], options });
      const out = allocateTopK(users.length, options.k);
      users.forEach((u, q) =>
        listFor(u)
          .slice(0, options.k)
          .forEach((item, r) => (out.ids[q * options.k + r] = item)),
      );
      return out;
    },
    similarItems: (items, k) => allocateTopK(items.length, k),
    toArtifact: () => {
      throw new Error('stub');
    },
  };
}

const matrix = (rows: number, cols: number, entries: [number, number][]) =>
  csrFromCoo({ rows, cols, rowIdx: Int32Array.from(entries.map((e) => e[0])), colIdx: Int32Array.from(entries.map((e) => e[1])) });

// 5 users × 8 items. Users 0–3 have test items; user 4 has none and is not evaluated.
const train = matrix(5, 8, [
  [0, 0],
  [1, 1],
  [2, 2],
  [3, 3],
  [4, 4],
  [4, 0],
]);
const test = matrix(5, 8, [
  [0, 5],
  [0, 6],
  [1, 7],
  [2, 5],
  [3, 6],
  [3, 7],
]);
const testItems = (m: CsrMatrix, u: number) => [...csrRow(m, u).indices];

describe('rankingMetricsAtK', () => {
  it('gives 1 on recall, NDCG, MAP and hit rate to an oracle that lists the test items first', () => {
    const oracle = stub((u) => testItems(test, u));
    const report = rankingMetricsAtK(oracle, train, test, { k: 3 });
    expect(report).toMatchObject({ users: 4, recall: 1, ndcg: 1, map: 1, hitRate: 1 });
    // precision = mean(|R_u| / 3) = (2 + 1 + 1 + 2) / 4 / 3 = 0.5
    expect(report.precision).toBeCloseTo(0.5, 12);
    // recommended {5, 6, 7} of 8 items
    expect(report.coverage).toBeCloseTo(3 / 8, 12);
    // No training user has items 5–7: each counts as c = 1 of |U| = 5 training users → novelty log2 5.
    expect(report.novelty).toBeCloseTo(Math.log2(5), 12);
  });

  it('gives 0 to a reverse model that lists only non-test items', () => {
    const reverse = stub((u) => [0, 1, 2, 3, 4, 5, 6, 7].filter((i) => !testItems(test, u).includes(i)).reverse());
    expect(rankingMetricsAtK(reverse, train, test, { k: 3 })).toMatchObject({ users: 4, precision: 0, recall: 0, ndcg: 0, map: 0, hitRate: 0 });
  });

  it('counts a user without recommendations as a miss, not as absent', () => {
    // Perfect for users 0 and 1, nothing for users 2 and 3 → mean recall (1 + 1 + 0 + 0) / 4 = 0.5.
    const half = stub((u) => (u < 2 ? testItems(test, u) : []));
    const report = rankingMetricsAtK(half, train, test);
    expect(report.users).toBe(4);
    expect(report.recall).toBe(0.5);
    expect(report.ndcg).toBe(0.5);
  });

  it('recommends in batches of test users only, excluding the training matrix, at k = 10 by default', () => {
    const model = stub(() => []);
    rankingMetricsAtK(model, train, test, { batchSize: 3 });
    expect(model.calls.map((c) => c.users)).toEqual([[0, 1, 2], [3]]);
    expect(model.calls.every((c) => c.options.exclude === train && c.options.k === 10)).toBe(true);
  });

  it('rejects mismatched matrices and out-of-range item ids', () => {
    expect(() =>
      rankingMetricsAtK(
        stub(() => []),
        train,
        matrix(5, 9, []),
      ),
    ).toThrow(/train has 8 items but test has 9/);
    expect(() =>
      rankingMetricsAtK(
        stub(() => [8]),
        train,
        test,
      ),
    ).toThrow(/recommended item 8, outside \[0, 8\)/);
    expect(() =>
      rankingMetricsAtK(
        stub(() => []),
        train,
        test,
        { k: 0 },
      ),
    ).toThrow(/k must be a positive integer/);
  });
});
