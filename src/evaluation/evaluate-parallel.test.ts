import { describe, expect, it } from 'vitest';
import { AlsRecommender, csrFromCoo, type Recommender } from '../models/index.ts';
import { Rng } from '../shared/index.ts';
import { rankingMetricsAtK, rankingMetricsAtKParallel } from './evaluate.ts';

/** A random interaction matrix and a later one to test on. */
function split(users: number, items: number, perUser: number, seed: number) {
  const rng = new Rng(seed);
  const coo = (n: number) => {
    const rowIdx: number[] = [];
    const colIdx: number[] = [];
    for (let u = 0; u < users; u++) {
      const seen = new Set<number>();
      while (seen.size < n) seen.add(Math.min(items - 1, Math.floor(items * rng.next() ** 2)));
      for (const i of seen) {
        rowIdx.push(u);
        colIdx.push(i);
      }
    }
    return csrFromCoo({ rows: users, cols: items, rowIdx: Int32Array.from(rowIdx), colIdx: Int32Array.from(colIdx) });
  };
  return { train: coo(perUser), test: coo(2) };
}

/** The model, counting the users this thread scored. */
function counting(model: Recommender): { model: Recommender; scored: () => number } {
  let scored = 0;
  const counted = new Proxy(model, {
    get(target, key, receiver) {
      if (key === 'recommend') return (users: Int32Array, o: Parameters<Recommender['recommend']>[1]) => ((scored += users.length), target.recommend(users, o));
      const value = Reflect.get(target, key, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { model: counted, scored: () => scored };
}

describe('rankingMetricsAtKParallel', () => {
  const { train, test } = split(600, 300, 12, 5);
  const fitted = async () => {
    const als = new AlsRecommender({ factors: 8, iterations: 3 });
    await als.fit(train, { seed: 1, threads: 1 });
    return als;
  };

  it('gives the one-thread report exactly, with the batches shared with a helper thread', async () => {
    const als = await fitted();
    const alone = rankingMetricsAtK(als, train, test, { k: 10, batchSize: 100 });
    const { model, scored } = counting(als);
    const both = await rankingMetricsAtKParallel(model, train, test, { k: 10, batchSize: 100, threads: 2, parallelFrom: 0 });
    expect(both).toEqual(alone);
    expect(alone.users).toBe(600);
    // The helper is given the first two batches at once; this thread scores the next while it starts.
    expect(scored()).toBeGreaterThanOrEqual(100);
    expect(scored()).toBeLessThanOrEqual(400);
  });

  it('stays on this thread for one thread or a small evaluation', async () => {
    const als = await fitted();
    const alone = rankingMetricsAtK(als, train, test, { k: 5, batchSize: 100 });
    for (const o of [{ threads: 1, parallelFrom: 0 }, { threads: 2 }]) {
      const { model, scored } = counting(als);
      expect(await rankingMetricsAtKParallel(model, train, test, { k: 5, batchSize: 100, ...o })).toEqual(alone);
      expect(scored()).toBe(600);
    }
  });
});
