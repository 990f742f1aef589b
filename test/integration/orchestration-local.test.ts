import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { checkDag } from '../../src/orchestration/dag.ts';
import { createLocalExecutor, type DagSpec, type LocalExecutor } from '../../src/orchestration/index.ts';
import { Scheduler } from '../../src/orchestration/scheduler.ts';
import { WarehouseOrchestrationStore } from '../../src/orchestration/warehouse-orchestration-store.ts';
import { jobParamsError } from '../../src/pipeline/index.ts';
import { Rng } from '../../src/shared/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { TEST_JOBS, TEST_JOBS_REF } from '../support/orchestration-jobs.ts';

const dag = (raw: Record<string, unknown>): DagSpec =>
  checkDag(raw, { pools: ['default', 'cpu'], jobParamsError: (job, params) => jobParamsError(job, params, TEST_JOBS), path: `test ${String(raw['id'])}` });

const quick = { retries: 1, delay: 0, factor: 1, maxDelay: 0, jitter: 0 };
const DAGS = [
  dag({
    id: 'diamond',
    tasks: [
      { id: 'start', job: 'ECHO', params: { value: 1 } },
      { id: 'left', job: 'ECHO_CHILD', params: { value: 2 }, deps: ['start'], pool: 'cpu' },
      { id: 'right', job: 'ECHO', params: { value: 3 }, deps: ['start'] },
      { id: 'join', job: 'ECHO', deps: ['left', 'right'] },
    ],
  }),
  dag({
    id: 'failing',
    tasks: [
      { id: 'flaky', job: 'FAIL', params: { retryable: true, message: 'database unreachable' }, retry: quick },
      { id: 'bad', job: 'FAIL', params: { retryable: false, message: 'column x is missing' }, retry: { ...quick, retries: 3 } },
      { id: 'after', job: 'ECHO', deps: ['bad'] },
    ],
  }),
];

/** The scheduler, the local executor and the warehouse's run history together, ticking on the real clock. */
describe.each(warehouseBackends())('local orchestration on $name', (backend) => {
  describe.skipIf(!backend.available)('runs', () => {
    let url: string;
    let warehouse: Warehouse;
    let executor: LocalExecutor;
    let scheduler: Scheduler;
    let store: WarehouseOrchestrationStore;

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('orchestration_local');
      warehouse = await openWarehouse({ url });
      await migrateToLatest(warehouse);
      store = new WarehouseOrchestrationStore(warehouse);
      const deps = {
        config: configSchema.parse({ database: { url } }),
        logger: silentLogger(),
        store: () => Promise.reject(new Error('no bucket')),
        warehouse: async () => warehouse,
      };
      executor = createLocalExecutor({ store, deps, catalog: TEST_JOBS_REF, pools: { default: 2, cpu: 1 }, leaseSeconds: 5 });
      scheduler = new Scheduler({ dags: DAGS, store, executor, clock: () => new Date(), rng: new Rng(1), logger: silentLogger() });
    });
    afterAll(async () => {
      await executor.close(0);
      await warehouse.close();
      await backend.dropDatabase(url);
    });

    /** Ticks until the run ends (bounded). */
    async function finished(runId: string) {
      for (let i = 0; i < 600; i++) {
        await scheduler.tick();
        const run = await store.run(runId);
        if (run && ['success', 'failed', 'canceled'].includes(run.state)) return run;
        await sleep(50);
      }
      throw new Error(`run ${runId} did not end`);
    }

    it('runs a diamond to success, each task once, with upstream results and logs in the run history', async () => {
      const { run } = await scheduler.trigger('diamond');
      expect((await finished(run.id)).state).toBe('success');
      const tasks = await store.taskInstances(run.id);
      expect(tasks.map((t) => [t.taskId, t.state, t.try])).toEqual([
        ['join', 'success', 1],
        ['left', 'success', 1],
        ['right', 'success', 1],
        ['start', 'success', 1],
      ]);
      const join = tasks.find((t) => t.taskId === 'join')!;
      expect(join.result?.['upstream']).toMatchObject({ left: { value: 2 }, right: { value: 3 } });
      expect((await store.tries(run.id)).every((t) => t.state === 'success' && t.worker === executor.worker)).toBe(true);
      const log = await store.logs({ runId: run.id, taskId: 'left' });
      expect(log.map((l) => l.message)).toEqual([expect.stringMatching(/^try 1 of left started/), expect.stringMatching(/^succeeded/)]);
    });

    it('retries a retryable failure, fails a non-retryable one at once, and marks what follows upstream_failed', async () => {
      const { run } = await scheduler.trigger('failing');
      expect((await finished(run.id)).state).toBe('failed');
      const tasks = Object.fromEntries((await store.taskInstances(run.id)).map((t) => [t.taskId, t]));
      expect(tasks['flaky']).toMatchObject({ state: 'failed', try: 2, error: 'database unreachable' });
      expect(tasks['bad']).toMatchObject({ state: 'failed', try: 1, error: 'column x is missing' });
      expect(tasks['after']?.state).toBe('upstream_failed');
      expect((await store.tries(run.id, 'flaky')).map((t) => t.retryable)).toEqual([true, true]);
      expect((await store.tries(run.id, 'bad')).map((t) => t.retryable)).toEqual([false]);
    });
  });
});
