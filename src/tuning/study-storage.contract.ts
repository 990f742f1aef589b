import { beforeAll, describe, expect, it } from 'vitest';
import { RandomSampler } from './sampler.ts';
import { Study } from './study.ts';
import type { StudyStorage } from './study-storage.ts';

const spec = { name: 'als-search', direction: 'maximize' as const, sampler: 'tpe', pruner: 'median', seed: 7 };

/** What a contract run needs: a store, and `second`, another connection to the same store (another process's view). */
export type StudyStorageFactory = () => Promise<{ storage: StudyStorage; second: StudyStorage }>;

/**
 * The one behavioural suite every {@link StudyStorage} adapter passes: studies created once by name, trials
 * numbered by the storage (also when creators race), steps, states and values kept, and a study resumed by a
 * second opener. `open` is called once for the suite.
 */
export function runStudyStorageContract(name: string, open: StudyStorageFactory): void {
  describe(`StudyStorage contract: ${name}`, () => {
    let storage: StudyStorage;
    let second: StudyStorage;
    beforeAll(async () => ({ storage, second } = await open()));

    it('creates a study once by name and returns the stored spec to a later opener', async () => {
      const a = await storage.openStudy(spec);
      const b = await second.openStudy({ ...spec, direction: 'minimize', seed: 99 });
      expect(b).toEqual(a);
      expect(a.spec).toEqual(spec);
      const other = await storage.openStudy({ ...spec, name: 'other' });
      expect(other.id).not.toBe(a.id);
    });

    it('numbers trials from 0, keeps params, steps, states and values', async () => {
      const { id } = await storage.openStudy(spec);
      const t0 = await storage.createTrial(id, { factors: 64, regularization: 0.05, solver: 'cg' });
      const t1 = await second.createTrial(id, { factors: 32, regularization: 1, solver: 'cg' });
      expect([t0, t1]).toEqual([0, 1]);
      await storage.reportIntermediate(id, t0, 1, 0.1);
      await storage.reportIntermediate(id, t0, 2, 0.15);
      await storage.reportIntermediate(id, t0, 2, 0.16); // a re-report of a step replaces it
      await storage.finishTrial(id, t0, 'complete', 0.16);
      await second.reportIntermediate(id, t1, 1, 0.02);
      await second.finishTrial(id, t1, 'pruned');
      const trials = await second.trials(id);
      expect(trials).toEqual([
        {
          number: 0,
          state: 'complete',
          params: { factors: 64, regularization: 0.05, solver: 'cg' },
          value: 0.16,
          intermediate: [
            [1, 0.1],
            [2, 0.16],
          ],
        },
        { number: 1, state: 'pruned', params: { factors: 32, regularization: 1, solver: 'cg' }, intermediate: [[1, 0.02]] },
      ]);
      const { id: otherId } = await storage.openStudy({ ...spec, name: 'other' });
      expect(await storage.trials(otherId)).toEqual([]);
    });

    it('gives racing creators distinct consecutive numbers', async () => {
      const { id } = await storage.openStudy({ ...spec, name: 'race' });
      const numbers = await Promise.all(Array.from({ length: 24 }, (_, i) => (i % 2 ? storage : second).createTrial(id, { i })));
      expect([...numbers].sort((a, b) => a - b)).toEqual(Array.from({ length: 24 }, (_, i) => i));
      const trials = await storage.trials(id);
      expect(trials.map((t) => t.params.i).sort((a, b) => (a as number) - (b as number))).toEqual(Array.from({ length: 24 }, (_, i) => i));
    });

    it('resumes a study: a second opener continues it with the stored history', async () => {
      const space = { x: { type: 'float', min: 0, max: 1, log: false } } as const;
      const one = await Study.open({ storage, name: 'resume', space, direction: 'minimize', sampler: new RandomSampler(), seed: 1 });
      await one.optimize(async (t) => t.params.x as number, { trials: 4 });
      const two = await Study.open({ storage: second, name: 'resume', space, direction: 'minimize', sampler: new RandomSampler(), seed: 1 });
      await two.optimize(async (t) => t.params.x as number, { trials: 3 });
      const trials = await one.trials();
      expect(trials.map((t) => t.number)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      expect((await two.best())!.value).toBe(Math.min(...trials.map((t) => t.value!)));
    });
  });
}
