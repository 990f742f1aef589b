import { describe, expect, it } from 'vitest';
import type { TopK } from './core/index.ts';
import { scoreBatches } from './recommend-helper.ts';

/** A one-row list naming its batch and who scored it (0: this thread, 1: the helper). */
const list = (batch: number, by: number): TopK => ({ k: 2, ids: Int32Array.of(batch, by), scores: Float32Array.of(0, 0) });

async function collect(o: Parameters<typeof scoreBatches>[0]): Promise<{ batch: number; by: number }[]> {
  const out: { batch: number; by: number }[] = [];
  for await (const [batch, top] of scoreBatches(o)) {
    expect(top.ids[0]).toBe(batch);
    out.push({ batch, by: top.ids[1]! });
  }
  return out;
}

const busy = (ms: number) => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

describe('scoreBatches (this thread and a helper sharing batches as they go)', () => {
  it('hands every batch over once, in order, without a helper', async () => {
    const got = await collect({ count: 5, local: (b) => list(b, 0) });
    expect(got).toEqual([0, 1, 2, 3, 4].map((batch) => ({ batch, by: 0 })));
  });

  it('keeps scoring here while the helper starts, and still hands batches over in order', async () => {
    // The helper answers its first batch after 60 ms (a worker's start-up), then each in 2 ms.
    let first = true;
    const helper = {
      recommend: (b: number) =>
        new Promise<TopK>((resolve) => {
          const delay = first ? 60 : 2;
          first = false;
          setTimeout(() => resolve(list(b, 1)), delay);
        }),
    };
    const got = await collect({ count: 40, local: (b) => (busy(3), list(b, 0)), helper });
    expect(got.map((g) => g.batch)).toEqual(Array.from({ length: 40 }, (_, b) => b));
    const here = got.filter((g) => g.by === 0).length;
    // While the helper started (60 ms), this thread went on (3 ms a batch) instead of waiting for its batch 0.
    expect(here).toBeGreaterThan(10);
    expect(got.some((g) => g.by === 1)).toBe(true);
  });

  it('holds only a few batches past the one due while the helper is late', async () => {
    let handed = 0;
    let furthest = 0;
    const helper = { recommend: (b: number) => new Promise<TopK>((resolve) => setTimeout(() => resolve(list(b, 1)), b < 2 ? 80 : 1)) };
    const local = (b: number) => {
      furthest = Math.max(furthest, b - handed);
      return list(b, 0);
    };
    for await (const [batch] of scoreBatches({ count: 60, local, helper })) handed = batch + 1;
    expect(handed).toBe(60);
    expect(furthest).toBeLessThanOrEqual(8);
  });

  it('gives the helper most of the work when this thread is slow', async () => {
    const helper = { recommend: (b: number) => Promise.resolve(list(b, 1)) };
    const got = await collect({ count: 30, local: (b) => (busy(5), list(b, 0)), helper });
    expect(got.filter((g) => g.by === 1).length).toBeGreaterThan(15);
  });

  it("passes a helper's failure on to the caller", async () => {
    const helper = { recommend: (b: number) => (b === 3 ? Promise.reject(new Error('worker died')) : Promise.resolve(list(b, 1))) };
    await expect(collect({ count: 10, local: (b) => list(b, 0), helper })).rejects.toThrow('worker died');
  });
});
