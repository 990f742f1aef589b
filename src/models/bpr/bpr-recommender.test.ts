import { beforeAll, describe, expect, it } from 'vitest';
import { plantedBlocks, randomInteractions } from '../core/test-fixtures.ts';
import { BprRecommender } from './bpr-recommender.ts';
import type { BprEpochReport } from './bpr-trainer.ts';
import type { BprParams } from './bpr-params.ts';

// The behaviour every model shares (planted structure, top-K rows, exclusion, candidates, round-trip, determinism,
// errors) is checked by the Recommender contract (models/catalog.test.ts); these tests are BPR's own.
const { train } = plantedBlocks({ users: 120, items: 40, blocks: 4, density: 0.4, seed: 11 });
const allUsers = Int32Array.from({ length: train.rows }, (_, u) => u);
const params: Partial<BprParams> = { factors: 8, learningRate: 0.05, regularization: 0.1, iterations: 200 };
let model: BprRecommender;
const reports: BprEpochReport[] = [];

beforeAll(async () => {
  model = new BprRecommender(params);
  await model.fit(train, { seed: 1, onEpoch: (r) => void reports.push(r as BprEpochReport) });
});

describe('BprRecommender', () => {
  it('learns the same with the SIMD updates as with scalar ones: same samples, loss and AUC to rounding', async () => {
    const fit = async (simd: boolean) => {
      const seen: BprEpochReport[] = [];
      const m = new BprRecommender({ ...params, iterations: 30 });
      await m.fit(train, { seed: 5, threads: 1, simd, onEpoch: (r) => void seen.push(r as BprEpochReport) });
      return { m, seen };
    };
    const scalar = await fit(false);
    const simd = await fit(true);
    expect(simd.m.userFactors).not.toEqual(scalar.m.userFactors); // float32 arithmetic: the kernel really ran
    for (let e = 0; e < 30; e++) {
      expect(simd.seen[e]!.loss).toBeCloseTo(scalar.seen[e]!.loss, 3);
      expect(Math.abs(simd.seen[e]!.auc - scalar.seen[e]!.auc)).toBeLessThan(0.01);
    }
    const agree = (a: BprRecommender, b: BprRecommender) => {
      const x = a.recommend(allUsers, { k: 5, exclude: train }).ids;
      const y = b.recommend(allUsers, { k: 5, exclude: train }).ids;
      let same = 0;
      for (let q = 0; q < x.length; q++) if (y.subarray(q - (q % 5), q - (q % 5) + 5).includes(x[q]!)) same++;
      return same / x.length;
    };
    expect(agree(simd.m, scalar.m)).toBeGreaterThan(0.9);
  });

  it('reports the sampled loss and AUC per epoch', () => {
    expect(reports).toHaveLength(200);
    expect(reports[0]!.loss).toBeCloseTo(Math.LN2, 1);
    expect(reports.at(-1)!.loss).toBeLessThan(reports[0]!.loss * 0.6);
    expect(reports.at(-1)!.auc).toBeGreaterThan(0.9);
    expect(reports.every((r) => r.skipped === 0 && r.seconds >= 0)).toBe(true);
  });

  it('scores x_u · y_i + b_i', () => {
    const f = model.params.factors;
    const top = model.recommend(Int32Array.of(7), { k: 3, exclude: train });
    const i = top.ids[0]!;
    let dot = model.itemBias![i]!;
    for (let k = 0; k < f; k++) dot += model.userFactors![7 * f + k]! * model.itemFactors![i * f + k]!;
    expect(top.scores[0]).toBeCloseTo(dot, 5);
  });

  it('samples differently for another seed', async () => {
    const fit = async (seed: number): Promise<BprRecommender> => {
      const m = new BprRecommender({ ...params, iterations: 5 });
      await m.fit(train, { seed, threads: 1 });
      return m;
    };
    const [a, c] = [await fit(3), await fit(4)];
    expect(c.itemFactors).not.toEqual(a.itemFactors);
  });

  it('trains on worker threads, bit for bit the same for a seed and thread count, SIMD or scalar', async () => {
    const matrix = randomInteractions({ users: 2500, items: 300, perUser: 10, seed: 5 });
    const fit = async (threads: number, simd: boolean, seed = 1) => {
      const seen: BprEpochReport[] = [];
      const m = new BprRecommender({ factors: 16, learningRate: 0.05, iterations: 4 });
      const report = await m.fit(matrix, { seed, threads, simd, onEpoch: (r) => void seen.push(r as BprEpochReport) });
      return { m, seen, report };
    };
    for (const simd of [true, false]) {
      const a = await fit(2, simd);
      const b = await fit(2, simd);
      expect(a.report.epochs).toBe(4);
      expect(a.seen.at(-1)!.loss).toBeLessThan(a.seen[0]!.loss);
      // Every non-zero is sampled once per epoch, split over the strata.
      expect(a.seen.every((r) => r.skipped === 0)).toBe(true);
      expect(b.m.userFactors).toEqual(a.m.userFactors);
      expect(b.m.itemFactors).toEqual(a.m.itemFactors);
      expect(b.m.itemBias).toEqual(a.m.itemBias);
      expect((await fit(2, simd, 2)).m.itemFactors).not.toEqual(a.m.itemFactors);
    }
    // Strata change which samples are drawn, not what is learnt: two threads rank like one.
    const one = (await fit(1, true)).seen.at(-1)!;
    const two = (await fit(2, true)).seen.at(-1)!;
    expect(Math.abs(one.auc - two.auc)).toBeLessThan(0.05);
  });

  it('stops early on onEpoch false and rejects with AbortError on abort', async () => {
    const early = await new BprRecommender(params).fit(train, { onEpoch: (r) => r.epoch < 2 });
    expect(early).toMatchObject({ epochs: 2, stoppedEarly: true });
    const controller = new AbortController();
    const fit = new BprRecommender(params).fit(train, { signal: controller.signal, onEpoch: (r) => void (r.epoch === 3 && controller.abort()) });
    await expect(fit).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('saves factors and item bias, and refuses corrupted artifacts', () => {
    const artifact = model.toArtifact();
    expect(artifact.header).toMatchObject({ kind: 'bpr', version: 1, shapes: { userFactors: [120, 8], itemFactors: [40, 8], itemBias: [40] } });
    expect(() => BprRecommender.fromArtifact({ ...artifact, header: { ...artifact.header, shapes: { ...artifact.header.shapes, itemBias: [39] } } })).toThrow(
      /'itemBias' has 40 values but its shape \[39\] needs 39/,
    );
    expect(() => BprRecommender.fromArtifact({ ...artifact, header: { ...artifact.header, kind: 'als' } })).toThrow(/kind is 'als', expected 'bpr'/);
  });
});
