import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTrainedModel, recommendForUser, runTrainJob } from '../../src/pipeline/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';

/** Training reads the warehouse through the one query layer: the same job on SQLite and on MariaDB. */
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
      const summary = await runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind: 'item-knn', params: {}, logger: silentLogger(), save: true, threads: 1 });
      expect(summary).toMatchObject({ kind: 'item-knn', users: 300, items: 40 });
      expect(summary.holdout!.metrics.ndcg).toBeGreaterThan(summary.holdout!.popularity.ndcg);
      const loaded = await loadTrainedModel(fx.store);
      expect(loaded.manifest.version).toBe(summary.saved!.version);
      const recs = recommendForUser(loaded, 'U0000001', 5);
      expect(recs).toHaveLength(5);
      expect(new Set(recs.map((r) => r.serviceId)).size).toBe(5);
    });

    it('gives the same hold-out figures on every run (deterministic split and model)', async () => {
      const a = await runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind: 'popular', params: {}, logger: silentLogger(), save: false });
      const b = await runTrainJob({ warehouse: fx.warehouse, store: fx.store, kind: 'popular', params: {}, logger: silentLogger(), save: false });
      expect(a.holdout!.metrics).toEqual(b.holdout!.metrics);
      expect(a.holdout!.users).toBe(b.holdout!.users);
      expect(a.interactions).toBeGreaterThan(4000);
    });
  });
});
