import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTuneJob } from '../../src/pipeline/index.ts';
import { ModelFitError } from '../../src/shared/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';

/**
 * A trial whose fit diverges fails alone: the search goes on, and a search in which every trial failed says why.
 * On SQLite only: what is tested is the job's handling of a failed fit, not the warehouse.
 */
describe.each(warehouseBackends().slice(0, 1))('tune job on $name', (backend) => {
  let fx: IngestFixture;
  let url: string;
  beforeAll(async () => {
    url = await backend.newDatabaseUrl('tune_job');
    fx = await createIngestFixture(url);
    await fx.landGenerated({ users: 300, services: 40, reservations: 6000, seed: 11 });
    await fx.ingest();
  });
  afterAll(async () => {
    await fx.close();
    await backend.dropDatabase(url);
  });

  const tune = (study: string, learningRate: { min: number; max: number }, trials: number) =>
    runTuneJob({
      warehouse: fx.warehouse,
      store: fx.store,
      kind: 'bpr',
      study,
      trials,
      searchSpace: { learningRate: { type: 'float', ...learningRate, log: true } },
      pruner: 'none',
      save: false,
      threads: 1,
      logger: silentLogger(),
    });

  it('goes on past trials whose fit diverged, counts them failed and finds the best of the others', async () => {
    const s = await tune('mixed', { min: 1e-3, max: 1e4 }, 10);
    expect(s.trials.failed).toBeGreaterThan(0);
    expect(s.trials.complete).toBeGreaterThan(0);
    expect(s.trials.complete + s.trials.failed).toBe(10);
    expect(s.best!.params['learningRate']).toBeLessThan(10);
  });

  it('says why when every trial failed', async () => {
    const failed = tune('diverging', { min: 1e3, max: 1e4 }, 3);
    await expect(failed).rejects.toBeInstanceOf(ModelFitError);
    await expect(failed).rejects.toThrow(/no trial of study 'diverging' completed: 3 failed, the first \(#0\) with "BPR diverged by epoch \d+/);
  });
});
