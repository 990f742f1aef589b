import { describe, expect, it } from 'vitest';
import { MedianPruner, SuccessiveHalvingPruner } from './pruner.ts';
import { RandomSampler } from './sampler.ts';
import { MemoryStudyStorage } from './study-storage.ts';
import { Study, TrialPruned } from './study.ts';
import { branin } from './test-functions.ts';
import type { Params, TrialRecord } from './trial.ts';
import { Rng } from '../shared/rng.ts';

const space = { x: { type: 'float', min: 0, max: 1, log: false } } as const;

describe('Study', () => {
  it('records every trial, resumes a study by name with its numbering, and keeps the best', async () => {
    const storage = new MemoryStudyStorage();
    const objective = async (t: { params: Params }) => branin.evaluate(t.params, new Rng(0));
    const first = await Study.open({ storage, name: 'b', space: branin.space, direction: 'minimize', seed: 3 });
    await first.optimize(objective, { trials: 12 });
    const again = await Study.open({ storage, name: 'b', space: branin.space, direction: 'minimize', seed: 3 });
    const seen: number[] = [];
    await again.optimize(objective, { trials: 8, onTrial: (t) => void seen.push(t.number) });
    expect(seen).toEqual([12, 13, 14, 15, 16, 17, 18, 19]);
    const trials = await again.trials();
    expect(trials.map((t) => t.state)).toEqual(new Array(20).fill('complete'));
    const best = await again.best();
    expect(best!.value).toBe(Math.min(...trials.map((t) => t.value!)));
    await expect(Study.open({ storage, name: 'b', space: branin.space, direction: 'maximize' })).rejects.toThrow(/exists and minimizes/);
  });

  it('proposes the same parameters for the same seed and history', async () => {
    const run = async (seed: number) => {
      const study = await Study.open({ storage: new MemoryStudyStorage(), name: 's', space: branin.space, direction: 'minimize', seed });
      await study.optimize(async (t) => branin.evaluate(t.params, new Rng(0)), { trials: 15 });
      return (await study.trials()).map((t) => t.params);
    };
    expect(await run(4)).toEqual(await run(4));
    expect(await run(5)).not.toEqual(await run(4));
  });

  it('records a failing objective as failed and passes its error on; stops on timeout and abort', async () => {
    const study = await Study.open({ storage: new MemoryStudyStorage(), name: 'f', space, direction: 'maximize', sampler: new RandomSampler() });
    await expect(study.optimize(async () => Promise.reject(new Error('boom')), { trials: 3 })).rejects.toThrow('boom');
    expect((await study.trials()).map((t) => t.state)).toEqual(['failed']);
    await study.optimize(async () => Number.NaN, { trials: 1 });
    expect((await study.trials()).at(-1)!.state).toBe('failed');
    const controller = new AbortController();
    await study.optimize(async () => (controller.abort(), 1), { trials: 10, signal: controller.signal });
    await study.optimize(async () => 1, { trials: 10, timeoutMs: 0 });
    expect(await study.trials()).toHaveLength(3);
  });

  it('prunes trials whose intermediate values fall below the median of complete trials at the same step', async () => {
    const storage = new MemoryStudyStorage();
    const study = await Study.open({
      storage,
      name: 'p',
      space,
      direction: 'maximize',
      sampler: new RandomSampler(),
      pruner: new MedianPruner({ startupTrials: 3 }),
      seed: 1,
    });
    // A "training curve" that reaches x after 5 steps: trials with a low x are bad all along.
    const curves: number[] = [];
    await study.optimize(
      async (t) => {
        const x = t.params.x as number;
        for (let step = 1; step <= 5; step++) {
          curves.push(step);
          if (t.report(step, (x * step) / 5)) throw new TrialPruned(step);
        }
        return x;
      },
      { trials: 30 },
    );
    const trials = await study.trials();
    const pruned = trials.filter((t) => t.state === 'pruned');
    const complete = trials.filter((t) => t.state === 'complete');
    expect(pruned.length).toBeGreaterThan(5);
    expect(trials.slice(0, 3).every((t) => t.state === 'complete')).toBe(true); // start-up trials are never pruned
    // Pruned trials stopped early and were worse than the median of the complete ones before them.
    for (const p of pruned) {
      expect(p.intermediate.length).toBeLessThan(5);
      const before = complete
        .filter((c) => c.number < p.number)
        .map((c) => c.value!)
        .sort((a, b) => a - b);
      expect(p.params.x as number).toBeLessThan(before[before.length >> 1]! + 1e-12);
    }
    expect(curves.length).toBeLessThan(30 * 5);
  });

  it('refuses a bad seed', async () => {
    await expect(Study.open({ storage: new MemoryStudyStorage(), name: 'x', space, direction: 'minimize', seed: -1 })).rejects.toThrow(/seed/);
  });
});

describe('MedianPruner', () => {
  const done = (number: number, values: number[]): TrialRecord => ({
    number,
    state: 'complete',
    params: {},
    value: values.at(-1)!,
    intermediate: values.map((v, i) => [i, v] as const),
  });
  it('waits for start-up trials and warm-up steps, compares the best value so far with the median at that step', () => {
    const history = [done(0, [1, 2, 3]), done(1, [2, 3, 4]), done(2, [3, 4, 5])];
    const pruner = new MedianPruner({ startupTrials: 3, warmupSteps: 1 });
    expect(pruner.shouldPrune({ number: 3, intermediate: [[0, 0]] }, history, 'maximize')).toBe(false); // warm-up
    expect(
      pruner.shouldPrune(
        {
          number: 3,
          intermediate: [
            [0, 0],
            [1, 2.9],
          ],
        },
        history,
        'maximize',
      ),
    ).toBe(true); // median at step 1 is 3
    expect(
      pruner.shouldPrune(
        {
          number: 3,
          intermediate: [
            [0, 0],
            [1, 3],
          ],
        },
        history,
        'maximize',
      ),
    ).toBe(false);
    expect(
      pruner.shouldPrune(
        {
          number: 3,
          intermediate: [
            [0, 0],
            [1, 2.9],
          ],
        },
        history,
        'minimize',
      ),
    ).toBe(false);
    expect(
      pruner.shouldPrune(
        {
          number: 3,
          intermediate: [
            [0, 0],
            [1, 2.9],
          ],
        },
        history.slice(0, 2),
        'maximize',
      ),
    ).toBe(false); // start-up
    expect(pruner.shouldPrune({ number: 3, intermediate: [[7, 0]] }, history, 'maximize')).toBe(false); // nobody reached step 7
  });
});

describe('SuccessiveHalvingPruner', () => {
  const done = (number: number, values: number[]): TrialRecord => ({
    number,
    state: 'complete',
    params: {},
    value: values.at(-1)!,
    intermediate: values.map((v, i) => [i + 1, v] as const),
  });
  it('judges a trial when it first reaches a rung (steps 1, 4, 16 for η = 4) against every trial at that rung', () => {
    const pruner = new SuccessiveHalvingPruner();
    // Eight trials reached rung 0 (step 1) with values 0.1 … 0.8; the best ⌈9/4⌉ = 3 of nine continue.
    const history = Array.from({ length: 8 }, (_, i) => done(i, [0.1 * (i + 1), 0.1 * (i + 1), 0.1 * (i + 1), 0.1 * (i + 1)]));
    expect(pruner.shouldPrune({ number: 9, intermediate: [[1, 0.75]] }, history, 'maximize')).toBe(false); // 3rd best
    expect(pruner.shouldPrune({ number: 9, intermediate: [[1, 0.55]] }, history, 'maximize')).toBe(true); // 0.6, 0.7, 0.8 are better
    expect(pruner.shouldPrune({ number: 9, intermediate: [[1, 0.55]] }, history, 'minimize')).toBe(true); // 0.1 … 0.5 are better
    expect(pruner.shouldPrune({ number: 9, intermediate: [[1, 0.15]] }, history, 'minimize')).toBe(false);
    // Between rungs nothing is judged; at step 4 (rung 1) it is judged again.
    expect(
      pruner.shouldPrune(
        {
          number: 9,
          intermediate: [
            [1, 0.75],
            [2, 0],
          ],
        },
        history,
        'maximize',
      ),
    ).toBe(false);
    expect(
      pruner.shouldPrune(
        {
          number: 9,
          intermediate: [
            [1, 0.75],
            [2, 0],
            [4, 0.2],
          ],
        },
        history,
        'maximize',
      ),
    ).toBe(true);
    expect(
      pruner.shouldPrune(
        {
          number: 9,
          intermediate: [
            [1, 0.75],
            [2, 0],
            [4, 0.85],
          ],
        },
        history,
        'maximize',
      ),
    ).toBe(false);
    // The first trial at a rung always continues.
    expect(pruner.shouldPrune({ number: 0, intermediate: [[1, 0]] }, [], 'maximize')).toBe(false);
  });
});
