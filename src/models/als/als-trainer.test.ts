import { describe, expect, it } from 'vitest';
import type { CsrMatrix } from '../core/csr.ts';
import type { EpochReport } from '../core/recommender.ts';
import { AlsRecommender } from './als-recommender.ts';
import type { AlsParams } from './als-params.ts';
import { plantedBlocks, randomInteractions } from '../core/test-fixtures.ts';

const blocks = plantedBlocks({ users: 60, items: 40, blocks: 4, density: 0.4, seed: 11 });
const small: Partial<AlsParams> = { factors: 8, regularization: 0.05, alpha: 10, iterations: 10 };
// Enough non-zeros (> 20k) for worker threads to be used, small enough to stay quick.
const medium = randomInteractions({ users: 2500, items: 300, perUser: 10, seed: 5 });

async function losses(params: Partial<AlsParams>, matrix: CsrMatrix = blocks.train): Promise<number[]> {
  const seen: number[] = [];
  await new AlsRecommender(params).fit(matrix, { seed: 3, computeLoss: true, onEpoch: (r) => void seen.push(r.loss!) });
  return seen;
}

describe('ALS training', () => {
  it.each(['cg', 'cholesky'] as const)('decreases the objective every iteration (%s)', async (solver) => {
    const seen = await losses({ ...small, solver, iterations: 12 });
    expect(seen).toHaveLength(12);
    for (const loss of seen) expect(Number.isFinite(loss) && loss > 0).toBe(true);
    // Strictly while far from the optimum; then never up by more than float32 rounding.
    for (let t = 1; t < 4; t++) expect(seen[t]!).toBeLessThan(seen[t - 1]!);
    for (let t = 4; t < seen.length; t++) expect(seen[t]!).toBeLessThanOrEqual(seen[t - 1]! * (1 + 1e-6));
    expect(seen.at(-1)!).toBeLessThan(seen[0]! * 0.9);
  });

  it('approaches the exact (Cholesky) solution as CG steps increase', async () => {
    const fitFactors = async (params: Partial<AlsParams>): Promise<Float32Array> => {
      const model = new AlsRecommender({ ...small, ...params, iterations: 5 });
      await model.fit(blocks.train, { seed: 2 });
      return model.userFactors!;
    };
    const exact = await fitFactors({ solver: 'cholesky' });
    const gap = (x: Float32Array): number => {
      let worst = 0;
      for (let q = 0; q < x.length; q++) worst = Math.max(worst, Math.abs(x[q]! - exact[q]!));
      return worst;
    };
    let scale = 0;
    for (const v of exact) scale = Math.max(scale, Math.abs(v));
    const gaps = [1, 3, 12].map(async (cgSteps) => gap(await fitFactors({ solver: 'cg', cgSteps })));
    const [one, three, twelve] = await Promise.all(gaps);
    expect(three!).toBeLessThan(one!);
    expect(twelve!).toBeLessThan(three!);
    // 12 steps ≥ 8 factors: CG is exact per row up to rounding.
    expect(twelve!).toBeLessThan(1e-3 * scale);
  });

  it('gives the same model with the SIMD Gram products as with scalar float64 ones, up to float32 rounding', async () => {
    const fit = async (simd: boolean, threads: number): Promise<AlsRecommender> => {
      const model = new AlsRecommender({ factors: 16, iterations: 4 });
      await model.fit(medium, { seed: 4, threads, simd });
      return model;
    };
    const scalar = await fit(false, 1);
    const simd = await fit(true, 2);
    expect(simd.userFactors).not.toEqual(scalar.userFactors); // the kernel really ran (float32 products)
    let worst = 0;
    let scale = 0;
    for (let q = 0; q < scalar.userFactors!.length; q++) {
      worst = Math.max(worst, Math.abs(simd.userFactors![q]! - scalar.userFactors![q]!));
      scale = Math.max(scale, Math.abs(scalar.userFactors![q]!));
    }
    expect(worst).toBeLessThan(1e-3 * scale);
    const users = Int32Array.from({ length: 200 }, (_, u) => u);
    const same = (a: AlsRecommender, b: AlsRecommender) => {
      const x = a.recommend(users, { k: 10 }).ids;
      const y = b.recommend(users, { k: 10 }).ids;
      let hits = 0;
      for (let u = 0; u < 200; u++) hits += x.subarray(u * 10, u * 10 + 10).filter((i) => y.subarray(u * 10, u * 10 + 10).includes(i)).length;
      return hits / 2000;
    };
    expect(same(simd, scalar)).toBeGreaterThan(0.95);
  });

  it('is deterministic for a seed, bit for bit, with 1 and 2 threads', async () => {
    const fit = async (seed: number, threads: number): Promise<AlsRecommender> => {
      const model = new AlsRecommender({ factors: 16, iterations: 3 });
      await model.fit(medium, { seed, threads });
      return model;
    };
    const a = await fit(7, 1);
    const b = await fit(7, 1);
    const c = await fit(7, 2);
    const d = await fit(7, 2);
    const other = await fit(8, 1);
    expect(b.userFactors).toEqual(a.userFactors);
    expect(b.itemFactors).toEqual(a.itemFactors);
    // Rows are solved independently and partial sums reduced in a fixed order: thread count does not matter.
    expect(c.userFactors).toEqual(a.userFactors);
    expect(d.itemFactors).toEqual(c.itemFactors);
    expect(c.itemFactors).toEqual(a.itemFactors);
    expect(other.userFactors).not.toEqual(a.userFactors);
  });

  it.each([1, 2])('rejects with an AbortError when aborted mid-training (%i threads)', async (threads) => {
    const controller = new AbortController();
    const epochs: number[] = [];
    const model = new AlsRecommender({ factors: 8, iterations: 20 });
    const fit = model.fit(medium, {
      threads,
      signal: controller.signal,
      onEpoch: (r) => {
        epochs.push(r.epoch);
        if (r.epoch === 2) controller.abort();
      },
    });
    await expect(fit).rejects.toMatchObject({ name: 'AbortError' });
    expect(epochs).toEqual([1, 2]);
    expect(model.userFactors).toBeUndefined();
  });

  it('rejects at once when the signal is already aborted', async () => {
    await expect(new AlsRecommender(small).fit(blocks.train, { signal: AbortSignal.abort() })).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('stops early when onEpoch returns false and says so', async () => {
    const reports: EpochReport[] = [];
    const report = await new AlsRecommender(small).fit(blocks.train, {
      onEpoch: (r) => {
        reports.push(r);
        return r.epoch < 3;
      },
    });
    expect(report).toMatchObject({ epochs: 3, stoppedEarly: true });
    expect(reports.map((r) => r.epoch)).toEqual([1, 2, 3]);
    expect(reports.every((r) => r.seconds >= 0 && r.loss === undefined)).toBe(true);
    const full = await new AlsRecommender(small).fit(blocks.train);
    expect(full).toMatchObject({ epochs: 10, stoppedEarly: false });
  });

  it('throws ModelFitError when the factors become non-finite', async () => {
    const data = blocks.train.data.slice();
    data[0] = Number.POSITIVE_INFINITY;
    const fit = new AlsRecommender(small).fit({ ...blocks.train, data });
    await expect(fit).rejects.toMatchObject({ name: 'ModelFitError', message: expect.stringMatching(/non-finite/) });
  });

  it('rejects a malformed matrix with a clear message', async () => {
    const indices = blocks.train.indices.slice();
    indices[0] = 99;
    await expect(new AlsRecommender(small).fit({ ...blocks.train, indices })).rejects.toThrow(/row 0 has column 99, outside/);
  });
});
