import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema, loadConfig } from '../../src/config/index.ts';
import { buildDags } from '../../src/orchestration/index.ts';
import { jobParamsError, parseJobParams, JOBS, runJob, type JobDeps, type JobResult } from '../../src/pipeline/index.ts';
import { ModelRegistry, RunTracker } from '../../src/registry/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';

/** The DAG jobs run through the catalog do what the commands do: land → ingest → features → train → promote. */
describe.each(warehouseBackends())('job catalog on $name', (backend) => {
  describe.skipIf(!backend.available)('pipeline jobs', () => {
    let fx: IngestFixture;
    let url: string;
    let deps: JobDeps;
    const run = (job: string, params: object, upstream: Record<string, JobResult> = {}, taskId?: string) =>
      runJob({ job, params, deps, runKey: 'manual@test-run', upstream, ...(taskId ? { taskId } : {}) });

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('job_catalog');
      fx = await createIngestFixture(url);
      deps = {
        config: configSchema.parse({ database: { url }, storage: { url: `file:${fx.bucketDir}` } }),
        logger: silentLogger(),
        store: async () => fx.store,
        warehouse: async () => fx.warehouse,
      };
      await fx.landGenerated({ users: 200, services: 30, reservations: 3000, seed: 5 });
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    it('ingests, builds features, trains two models and promotes the better one; a retried train registers nothing new', async () => {
      const ingest = await run('INGEST', {});
      expect(ingest).toMatchObject({ files: 3, rejected: 0, filesRejected: 0 });
      expect(ingest['rows']).toBeGreaterThan(3000);
      expect(typeof ingest['featureSnapshot']).toBe('number');
      expect(await run('INGEST', {})).toMatchObject({ files: 0, rows: 0 });

      const features = await run('BUILD_FEATURES', {});
      expect(features).toMatchObject({ users: 200, services: 30 });
      expect(features['snapshotId']).toBeGreaterThan(ingest['featureSnapshot'] as number);

      const knn = await run('TRAIN', { kind: 'item-knn', registerAs: 'main' }, {}, 'train-knn');
      const pop = await run('TRAIN', { kind: 'popular', registerAs: 'main' }, {}, 'train-popular');
      expect(knn).toMatchObject({ name: 'main', version: 1, kind: 'item-knn' });
      expect(pop).toMatchObject({ name: 'main', version: 2, kind: 'popular' });
      expect(knn['ndcg']).toBeGreaterThan(pop['ndcg'] as number);
      // A second try of the same task of the same run finds the version the first registered.
      expect(await run('TRAIN', { kind: 'item-knn', registerAs: 'main' }, {}, 'train-knn')).toEqual(knn);
      expect(await new ModelRegistry(fx.warehouse).versions('main')).toHaveLength(2);

      const promoted = await run('PROMOTE_IF_BETTER', { name: 'main' }, { 'train-knn': knn, 'train-popular': pop, features });
      expect(promoted).toMatchObject({ promoted: true, name: 'main', version: 1, alias: 'champion', previous: null });
      expect((await new ModelRegistry(fx.warehouse).versions('main')).find((v) => v.version === 1)?.aliases).toEqual(['champion']);

      // Popularity alone against the champion: the gate refuses, and the task says so without failing.
      const refused = await run('PROMOTE_IF_BETTER', {}, { 'train-popular': pop });
      expect(refused).toMatchObject({ promoted: false, name: 'main', version: 2, alias: 'champion' });
      expect(refused['why']).toMatch(/refusing to make version 2 of main 'champion'/);

      const recs = await run('RECOMMEND_ALL', { model: 'main@champion', k: 3 }, {}, 'recommend');
      expect(recs).toMatchObject({ key: 'exports/recommendations/manual_test-run-recommend.csv', users: 200, rows: 600, batchId: null });
      expect(recs['model']).toMatchObject({ kind: 'item-knn', name: 'main', version: 1 });
      const csv = (await fx.read(recs['key'] as string)).trim().split('\n');
      expect(csv[0]).toBe('user_id,item_id,rank,score');
      expect(csv).toHaveLength(601);
    });

    it('trains with the parameters an upstream TUNE task found for the same kind, unless given its own', async () => {
      const tune = { study: 'item-knn', kind: 'item-knn', bestParams: { neighbours: 7, weighting: 'bm25' }, bestNdcg: 0.3 };
      const tuned = await run('TRAIN', { kind: 'item-knn', registerAs: 'tuned' }, { tune }, 'train-tuned');
      expect((await new RunTracker(fx.warehouse).get(tuned['run'] as string)).params).toMatchObject({ neighbours: 7, weighting: 'bm25' });
      const own = await run('TRAIN', { kind: 'item-knn', registerAs: 'tuned', params: { neighbours: 9 } }, { tune }, 'train-own');
      expect((await new RunTracker(fx.warehouse).get(own['run'] as string)).params).toMatchObject({ neighbours: 9, weighting: 'cosine' });
      const other = await run('TRAIN', { kind: 'popular', registerAs: 'tuned' }, { tune }, 'train-other');
      expect((await new RunTracker(fx.warehouse).get(other['run'] as string)).params).not.toHaveProperty('neighbours');
    });

    it("TUNE with kind 'auto' searches the families within its budget and registers the winner", async () => {
      const r = await run('TUNE', { kind: 'auto', budgetSeconds: 4, algos: ['item-knn', 'als'], registerAs: 'chosen' }, {}, 'tune-auto');
      expect(['item-knn', 'als']).toContain(r['kind']);
      expect(r).toMatchObject({ study: 'auto', name: 'chosen', version: 1 });
      expect(Object.keys(r['families'] as object).sort()).toEqual(['als', 'item-knn']);
      expect(r['bestNdcg']).toBe(Math.max(...Object.values(r['families'] as Record<string, number>)));
    });

    it('fails PROMOTE_IF_BETTER without an upstream version, as a validation error', async () => {
      await expect(run('PROMOTE_IF_BETTER', {}, { ingest: { files: 0 } })).rejects.toThrow(/found no registered version among its upstream tasks \(ingest\)/);
    });
  });
});

describe('built-in DAGs against the job catalog', () => {
  it.each([{}, { builtins: { daily: { modelName: 'main' } } }, { builtins: { tuneWeekly: { kind: 'auto' } } }])(
    'are valid with orchestration settings %j',
    (orchestration) => {
      const config = loadConfig({ file: false, overrides: { orchestration } }).orchestration;
      const dags = buildDags({ config, jobParamsError, alias: 'champion' });
      expect(dags.map((d) => d.id)).toEqual(['daily', 'on-landing', 'tune-weekly']);
      for (const task of dags.flatMap((d) => d.tasks)) expect(() => parseJobParams(JOBS[task.job]!, task.params)).not.toThrow();
    },
  );
});
