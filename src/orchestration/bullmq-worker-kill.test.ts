import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { warehouseBackends } from '../../test/support/backends.ts';
import { BULLMQ_TEST_JOBS_REF, testJobDeps, uniquePrefix } from '../../test/support/bullmq-test-jobs.ts';
import { queuedTries } from '../../test/support/queued-tries.ts';
import { REPO_ROOT } from '../../test/support/run-cli.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../warehouse/index.ts';
import { bullmqJobId } from './bullmq-connection.ts';
import { createBullmqExecutor, type BullmqExecutor } from './bullmq-executor.ts';
import { startBullmqWorker, type BullmqWorker } from './bullmq-worker.ts';
import type { TaskInstanceRecord } from './ports.ts';
import { waitFor } from './task-executor.contract.ts';
import { WarehouseOrchestrationStore } from './warehouse-orchestration-store.ts';

const redisUrl = inject('redisUrl');

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

/** The production layout in small: run history in the warehouse, Redis, two worker processes; one is killed mid-task. */
describe.skipIf(redisUrl === null).each(warehouseBackends())('kill -9 of a busy BullMQ worker, run history on $name', (backend) => {
  describe.skipIf(!backend.available)('', () => {
    const prefix = uniquePrefix('kill');
    const pools = { default: 2 };
    const dir = mkdtempSync(join(tmpdir(), 'pickwise-kill-'));
    let url: string;
    let warehouse: Warehouse;
    let store: WarehouseOrchestrationStore;
    let executor: BullmqExecutor;
    let survivor: BullmqWorker | undefined;
    let victim: ChildProcess | undefined;

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('bullmq_kill');
      warehouse = await openWarehouse({ url });
      await migrateToLatest(warehouse);
      store = new WarehouseOrchestrationStore(warehouse);
      executor = createBullmqExecutor({ url: redisUrl!, prefix, pools });
    });
    afterAll(async () => {
      victim?.kill('SIGKILL');
      await survivor?.stop(0);
      await executor?.close();
      await warehouse?.close();
      await backend.dropDatabase(url);
      rmSync(dir, { recursive: true, force: true });
    });

    it('hands the task to the other worker once the lease lapses, and its effect happens once', async () => {
      const effects = join(dir, 'effects.txt');
      const marker = join(dir, 'hold');
      writeFileSync(marker, '');
      const workerOptions = { redisUrl, prefix, pools, warehouseUrl: url, catalog: BULLMQ_TEST_JOBS_REF, leaseSeconds: 2, lockMs: 1_000 };
      victim = await spawnWorker({ ...workerOptions, workerId: 'victim' });
      const task = { taskId: 'append', job: 'APPEND', params: { file: effects, line: 'done', holdWhileExists: marker } };
      const [first] = await queuedTries(store, [task]);
      const { runId } = first!;
      const theTask = async (): Promise<TaskInstanceRecord> => (await store.taskInstances(runId))[0]!;
      await executor.submit(first!);
      await waitFor('the victim to claim the try', async () => ((await theTask()).worker === 'victim' ? true : undefined));

      survivor = await startBullmqWorker({
        url: redisUrl!,
        prefix,
        pools,
        store,
        deps: testJobDeps(),
        catalog: BULLMQ_TEST_JOBS_REF,
        leaseSeconds: 2,
        lockMs: 1_000,
      });
      await survivor.ready();
      const exited = new Promise((resolve) => victim!.once('exit', resolve));
      victim.kill('SIGKILL');
      await exited;
      expect(existsSync(effects)).toBe(false);
      rmSync(marker);

      // BullMQ's side: the dead worker's lock lapses, a stall check hands its job to the survivor, which finds the
      // try still held by the victim (its lease not yet lapsed) and leaves it alone.
      const queue = executor.queue('default');
      await waitFor('the stalled job to complete', async () => ((await queue.getJobState(bullmqJobId(first!))) === 'completed' ? true : undefined));
      const redelivered = await queue.getJob(bullmqJobId(first!));
      expect(redelivered?.returnvalue).toEqual({ outcome: 'skipped' });
      expect(redelivered?.processedBy).toBe(survivor.workerId);

      // The scheduler's side (what its tick does): a lapsed lease is a failed, retryable try; the next try is queued.
      const [expired] = await waitFor('the lease to lapse', async () => {
        const lapsed = await store.expiredLeases(new Date());
        return lapsed.length > 0 ? lapsed : undefined;
      });
      expect(expired).toMatchObject({ taskId: 'append', try: 1, worker: 'victim' });
      const at = new Date();
      expect(await store.transitionTask({ runId, taskId: 'append', from: ['running'], try: 1, to: 'up_for_retry', at })).toBe(true);
      expect(await store.transitionTask({ runId, taskId: 'append', from: ['up_for_retry'], try: 1, to: 'queued', at, patch: { try: 2 } })).toBe(true);
      await executor.submit({ ...first!, try: 2 });

      const done = await waitFor('try 2 to succeed', async () => ((await theTask()).state === 'success' ? theTask() : undefined));
      expect(done).toMatchObject({ try: 2, worker: survivor.workerId });
      expect(readFileSync(effects, 'utf8')).toBe('done\n');
      expect((await store.tries(runId, 'append')).map((t) => [t.try, t.worker, t.state])).toEqual([
        [1, 'victim', 'failed'],
        [2, survivor.workerId, 'success'],
      ]);
    });
  });
});
