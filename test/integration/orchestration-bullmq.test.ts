import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { bullmqJobId } from '../../src/orchestration/bullmq-connection.ts';
import { checkDag } from '../../src/orchestration/dag.ts';
import { createBullmqExecutor, startBullmqWorker, type BullmqExecutor, type BullmqWorker, type DagSpec } from '../../src/orchestration/index.ts';
import { Scheduler } from '../../src/orchestration/scheduler.ts';
import { waitFor } from '../../src/orchestration/task-executor.contract.ts';
import { WarehouseOrchestrationStore } from '../../src/orchestration/warehouse-orchestration-store.ts';
import { jobParamsError } from '../../src/pipeline/index.ts';
import { Rng } from '../../src/shared/index.ts';
import { silentLogger } from '../../src/shared/io.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { BULLMQ_TEST_JOBS, BULLMQ_TEST_JOBS_REF, uniquePrefix } from '../support/bullmq-test-jobs.ts';
import { REPO_ROOT } from '../support/run-cli.ts';

const redisUrl = inject('redisUrl');

const dag = (raw: Record<string, unknown>): DagSpec =>
  checkDag(raw, {
    pools: ['default', 'cpu', 'solo'],
    jobParamsError: (job, params) => jobParamsError(job, params, BULLMQ_TEST_JOBS),
    path: `test ${String(raw['id'])}`,
  });
const quick = { retries: 1, delay: 0, factor: 1, maxDelay: 0, jitter: 0 };
const dir = mkdtempSync(join(tmpdir(), 'pickwise-bullmq-dags-'));
/** The DAGs of one test database: the effect DAG's files are its own. */
const dagsIn = (files: { effects: string; marker: string }): DagSpec[] => [
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
    id: 'effect',
    tasks: [{ id: 'append', job: 'APPEND', pool: 'solo', params: { file: files.effects, line: 'done', holdWhileExists: files.marker }, retry: quick }],
  }),
];
/** The worker in this process serves default and cpu; `solo` is served by the worker process to kill, then by a survivor. */
const POOLS = { default: 2, cpu: 1, solo: 1 };
const { solo: _solo, ...MAIN_POOLS } = POOLS;

/** Starts a worker in its own process (so it can be killed for real); resolves once it consumes. */
function spawnWorker(options: Record<string, unknown>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/support/bullmq-worker-child.ts', JSON.stringify(options)], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`worker process not ready in 30 s:\n${output}`)), 30_000);
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    child.stdout!.on('data', (d: Buffer) => {
      output += d.toString();
      if (/ready \S+/.test(output)) {
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.once('exit', (code) => (clearTimeout(timer), reject(new Error(`worker process exited (${code}):\n${output}`))));
  });
}

/**
 * The production layout in small: run history in the warehouse, Redis, the scheduler ticked by BullMQ's job
 * scheduler on whichever worker takes the tick, workers in this process and in another one (killed mid-task).
 */
describe.skipIf(redisUrl === null).each(warehouseBackends())('distributed orchestration (BullMQ) with run history on $name', (backend) => {
  describe.skipIf(!backend.available)('runs', () => {
    const prefix = uniquePrefix('dags');
    const effects = join(dir, `${backend.name}-effects.txt`);
    const marker = join(dir, `${backend.name}-hold`);
    let url: string;
    let warehouse: Warehouse;
    let store: WarehouseOrchestrationStore;
    let executor: BullmqExecutor;
    let scheduler: Scheduler;
    let worker: BullmqWorker;
    let workerOptions: Parameters<typeof startBullmqWorker>[0];

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('orchestration_bullmq');
      warehouse = await openWarehouse({ url });
      await migrateToLatest(warehouse);
      store = new WarehouseOrchestrationStore(warehouse);
      executor = createBullmqExecutor({ url: redisUrl!, prefix, pools: POOLS });
      scheduler = new Scheduler({ dags: dagsIn({ effects, marker }), store, executor, clock: () => new Date(), rng: new Rng(1), logger: silentLogger() });
      const deps = {
        config: configSchema.parse({ database: { url } }),
        logger: silentLogger(),
        store: () => Promise.reject(new Error('no bucket')),
        warehouse: async () => warehouse,
      };
      workerOptions = { url: redisUrl!, prefix, pools: MAIN_POOLS, store, deps, catalog: BULLMQ_TEST_JOBS_REF, leaseSeconds: 2, lockMs: 1_000 };
      worker = await startBullmqWorker({ ...workerOptions, concurrency: 2, onTick: () => scheduler.tick(), tickSeconds: 0.25 });
      await worker.ready();
    });
    afterAll(async () => {
      await worker?.stop(0);
      await executor?.close();
      await warehouse?.close();
      await backend.dropDatabase(url);
    });

    const ended = (runId: string) =>
      waitFor(`run ${runId} to end`, async () => {
        const run = await store.run(runId);
        return run && ['success', 'failed', 'canceled'].includes(run.state) ? run : undefined;
      });

    it('runs a diamond to success through Redis, each task once, the CPU-heavy one in a child process', async () => {
      const { run } = await scheduler.trigger('diamond');
      expect((await ended(run.id)).state).toBe('success');
      const tasks = await store.taskInstances(run.id);
      expect(tasks.map((t) => [t.taskId, t.state, t.try, t.worker])).toEqual(
        ['join', 'left', 'right', 'start'].map((id) => [id, 'success', 1, worker.workerId]),
      );
      expect(tasks.find((t) => t.taskId === 'join')!.result?.['upstream']).toMatchObject({ left: { value: 2 }, right: { value: 3 } });
      expect(await executor.queue('cpu').getJobState(bullmqJobId({ runId: run.id, taskId: 'left', try: 1 }))).toBe('completed');
    });

    it('after kill -9 of the worker process running a task, the run completes on the other worker and the effect happens once', async () => {
      writeFileSync(marker, '');
      const victim = await spawnWorker({
        redisUrl,
        prefix,
        pools: { solo: 1 },
        warehouseUrl: url,
        catalog: BULLMQ_TEST_JOBS_REF,
        leaseSeconds: 2,
        workerId: 'victim',
        lockMs: 1_000,
      });
      let survivor: BullmqWorker | undefined;
      try {
        const { run } = await scheduler.trigger('effect');
        await waitFor('the victim to claim the try', async () => ((await store.taskInstances(run.id))[0]?.worker === 'victim' ? true : undefined));
        survivor = await startBullmqWorker({ ...workerOptions, pools: { solo: 1 } });
        await survivor.ready();
        const exited = new Promise((resolve) => victim.once('exit', resolve));
        victim.kill('SIGKILL');
        await exited;
        expect(existsSync(effects)).toBe(false);
        rmSync(marker);

        expect((await ended(run.id)).state).toBe('success');
        expect(readFileSync(effects, 'utf8')).toBe('done\n');
        expect((await store.tries(run.id, 'append')).map((t) => [t.try, t.worker, t.state])).toEqual([
          [1, 'victim', 'failed'],
          [2, survivor.workerId, 'success'],
        ]);
        // BullMQ's side: the dead worker's job was handed over by a stall check and skipped (its try was held).
        const firstJob = bullmqJobId({ runId: run.id, taskId: 'append', try: 1 });
        const solo = executor.queue('solo');
        await waitFor('the stalled job to be handed over', async () => ((await solo.getJobState(firstJob)) === 'completed' ? true : undefined));
        expect((await solo.getJob(firstJob))?.returnvalue).toEqual({ outcome: 'skipped' });
      } finally {
        victim.kill('SIGKILL');
        await survivor?.stop(0);
      }
    });
  });
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));
