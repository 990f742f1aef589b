import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { createLocalExecutor, MemoryOrchestrationStore, type TaskAttempt } from '../../src/orchestration/index.ts';
import type { JobDeps } from '../../src/pipeline/index.ts';
import { ModelRegistry } from '../../src/registry/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';
import { queuedTries } from '../support/queued-tries.ts';

/**
 * The pipeline's jobs run by the local executor, each CPU-heavy one in a child process that opens the warehouse and
 * the bucket from the configuration alone: what `pickwise up` does with the built-in DAGs.
 */
describe.each(warehouseBackends())('pipeline jobs on the local executor on $name', (backend) => {
  describe.skipIf(!backend.available)('in child processes', () => {
    let fx: IngestFixture;
    let url: string;
    let deps: JobDeps;
    const store = new MemoryOrchestrationStore();

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('local_executor_jobs');
      fx = await createIngestFixture(url);
      deps = {
        config: configSchema.parse({ database: { url }, storage: { url: `file:${fx.bucketDir}` } }),
        logger: silentLogger(),
        store: async () => fx.store,
        warehouse: async () => fx.warehouse,
      };
      await fx.landGenerated({ users: 150, services: 25, reservations: 2000, seed: 9 });
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    it('ingests, trains and promotes, with each result stored for the tasks after it', async () => {
      const executor = createLocalExecutor({ store, deps, pools: { default: 2 }, leaseSeconds: 30 });
      const runStep = async (attempt: TaskAttempt) => {
        await executor.submit(attempt);
        await executor.idle();
        const task = (await store.taskInstances(attempt.runId)).find((t) => t.taskId === attempt.taskId)!;
        expect(task.error).toBeUndefined();
        expect(task.state).toBe('success');
        return task.result!;
      };
      const [ingest, train, promote] = await queuedTries(store, [
        { taskId: 'ingest', job: 'INGEST' },
        { taskId: 'train', job: 'TRAIN', params: { kind: 'popular' } },
        { taskId: 'promote', job: 'PROMOTE_IF_BETTER' },
      ]);
      expect(await runStep(ingest!)).toMatchObject({ files: 3, rejected: 0 });
      const trained = await runStep(train!);
      expect(trained).toMatchObject({ name: 'popular', version: 1, kind: 'popular' });
      expect(await runStep({ ...promote!, upstream: { train: trained } })).toMatchObject({ promoted: true, name: 'popular', version: 1, alias: 'champion' });
      expect((await new ModelRegistry(fx.warehouse).versions('popular'))[0]?.aliases).toEqual(['champion']);
      const log = (await store.logs({ runId: ingest!.runId, taskId: 'train' })).map((l) => l.message).join('\n');
      expect(log).toMatch(/hold-out evaluated/);
      expect(log).toMatch(/model saved/);
      await executor.close();
    });
  });
});
