import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runTrainJob, runTuneJob } from '../../src/pipeline/index.ts';
import { loadTrainedModel, recommendForUser, ServiceCatalog } from '../../src/registry/index.ts';
import { ModelFitError } from '../../src/shared/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { ServiceRepo } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';

/**
 * Training reads the warehouse through the one query layer: the same job on SQLite and on MariaDB. Tuning's handling of
 * a trial whose fit diverges is tested here too, on the same data.
 */
describe.each(warehouseBackends())('train job on $name', (backend) => {
  describe.skipIf(!backend.available)('train', () => {
    let fx: IngestFixture;
    let url: string;
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('train');
      fx = await createIngestFixture(url);
      await fx.landGenerated({ users: 300, services: 40, reservations: 6000, seed: 11 });
      await fx.ingest();
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    it('evaluates beside popularity, saves the model to the bucket and recommends from it', async () => {
      const summary = await runTrainJob({
        warehouse: fx.warehouse,
        store: fx.store,
        kind: 'item-knn',
        params: {},
        logger: silentLogger(),
        save: true,
        threads: 1,
      });
      expect(summary).toMatchObject({ kind: 'item-knn', users: 300, items: 40 });
      expect(summary.holdout!.metrics.ndcg).toBeGreaterThan(summary.holdout!.popularity.ndcg);
      const loaded = await loadTrainedModel(fx.store);
      expect(loaded.manifest.version).toBe(summary.saved!.version);
      const { basis, recommendations: recs } = recommendForUser(loaded, 'U0000001', 5);
      expect(basis).toBe('model');
      expect(recs).toHaveLength(5);
      expect(new Set(recs.map((r) => r.serviceId)).size).toBe(5);
    });

    it('filters recommendations by category and region through the warehouse', async () => {
      await runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind: 'popular', params: {}, logger: silentLogger(), save: true, holdout: 0 });
      const loaded = await loadTrainedModel(fx.store);
      const some = await fx.warehouse.db
        .selectFrom('dimService as s')
        .innerJoin('dimCategory as c', 'c.categoryKey', 's.categoryKey')
        .innerJoin('dimRegion as r', 'r.regionKey', 's.regionKey')
        .select(['c.categoryName', 'r.regionName'])
        .executeTakeFirstOrThrow();
      const catalog = ServiceCatalog.build(loaded, { rows: await new ServiceRepo(fx.warehouse.db).catalog(), readAt: new Date().toISOString() });
      const inCategory = catalog.filter({ category: some.categoryName }).candidates;
      const both = catalog.filter({ category: some.categoryName, region: some.regionName }).candidates;
      expect(inCategory.length).toBeGreaterThan(0);
      expect(both.length).toBeGreaterThan(0);
      expect(both.length).toBeLessThanOrEqual(inCategory.length);
      const allowed = new Set([...inCategory].map((i) => loaded.itemIds[i]));
      const recs = recommendForUser(loaded, 'U0000002', 20, inCategory).recommendations;
      expect(recs.length).toBeGreaterThan(0);
      expect(recs.every((r) => allowed.has(r.serviceId))).toBe(true);
      expect(catalog.filter({ category: 'no-such-category' }).candidates).toHaveLength(0);
    });

    it('gives the same hold-out figures on every run (deterministic split and model)', async () => {
      const a = await runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind: 'popular', params: {}, logger: silentLogger(), save: false });
      const b = await runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind: 'popular', params: {}, logger: silentLogger(), save: false });
      expect(a.holdout!.metrics).toEqual(b.holdout!.metrics);
      expect(a.holdout!.users).toBe(b.holdout!.users);
      expect(a.interactions).toBeGreaterThan(4000);
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

    it('tune goes on past trials whose fit diverged, counts them failed and finds the best of the others', async () => {
      const s = await tune('mixed', { min: 1e-3, max: 1e4 }, 10);
      expect(s.trials.failed).toBeGreaterThan(0);
      expect(s.trials.complete).toBeGreaterThan(0);
      expect(s.trials.complete + s.trials.failed).toBe(10);
      expect(s.best!.params['learningRate']).toBeLessThan(10);
    });

    it('tune says why when every trial failed', async () => {
      const failed = tune('diverging', { min: 1e3, max: 1e4 }, 3);
      await expect(failed).rejects.toBeInstanceOf(ModelFitError);
      await expect(failed).rejects.toThrow(/no trial of study 'diverging' completed: 3 failed, the first \(#0\) with "BPR diverged by epoch \d+/);
    });
  });
});
