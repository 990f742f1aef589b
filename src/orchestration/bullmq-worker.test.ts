import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { BULLMQ_TEST_JOBS_REF, testJobDeps, uniquePrefix } from '../../test/support/bullmq-test-jobs.ts';
import { queuedTries } from '../../test/support/queued-tries.ts';
import { createBullmqExecutor, type BullmqExecutor } from './bullmq-executor.ts';
import { startBullmqWorker, type BullmqWorker, type BullmqWorkerOptions } from './bullmq-worker.ts';
import { MemoryOrchestrationStore } from './memory-orchestration-store.ts';
import type { OrchestrationStore, TaskAttempt, TaskInstanceRecord } from './ports.ts';
import { taskExecutorContract, waitFor } from './task-executor.contract.ts';

const redisUrl = inject('redisUrl');

describe.skipIf(redisUrl === null)('on a real Redis', () => {
  // The executor contract, with the tries going through Redis to a worker (here in this process).
  taskExecutorContract({
    name: 'bullmq',
    async create({ store, catalog, pools, leaseSeconds }) {
      const prefix = uniquePrefix('contract');
      const executor = createBullmqExecutor({ url: redisUrl!, prefix, pools });
      const worker = await startBullmqWorker({
        url: redisUrl!,
        prefix,
        pools,
        store,
        deps: testJobDeps(),
        catalog,
        leaseSeconds,
        concurrency: 4,
        killGraceMs: 500,
      });
      await worker.ready();
      return {
        executor,
        async stop() {
          await worker.stop(0);
          await executor.close();
        },
      };
    },
  });

  describe('BullMQ worker', () => {
    let store: MemoryOrchestrationStore;
    let prefix: string;
    let executor: BullmqExecutor;
    let workers: BullmqWorker[];
    let dir: string;
    const pools = { default: 2, io: 3 };

    const start = async (over: Partial<BullmqWorkerOptions> = {}): Promise<BullmqWorker> => {
      const worker = await startBullmqWorker({
        url: redisUrl!,
        prefix,
        pools,
        store,
        deps: testJobDeps(),
        catalog: BULLMQ_TEST_JOBS_REF,
        leaseSeconds: 30,
        ...over,
      });
      workers.push(worker);
      await worker.ready();
      return worker;
    };
    const ended = (a: TaskAttempt): Promise<TaskInstanceRecord> =>
      waitFor(`${a.taskId} to end`, async () => {
        const t = (await store.taskInstances(a.runId)).find((x) => x.taskId === a.taskId)!;
        return t.state === 'success' || t.state === 'failed' ? t : undefined;
      });

    beforeEach(() => {
      store = new MemoryOrchestrationStore();
      prefix = uniquePrefix('worker');
      executor = createBullmqExecutor({ url: redisUrl!, prefix, pools });
      workers = [];
      dir = mkdtempSync(join(tmpdir(), 'pickwise-bullmq-'));
    });
    afterEach(async () => {
      await Promise.all(workers.map((w) => w.stop(0)));
      await executor.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('records which worker ran a try, and reports the BullMQ job as what became of the try there', async () => {
      const worker = await start();
      const [a] = await queuedTries(store, [{ taskId: 'echo', job: 'ECHO' }]);
      await executor.submit(a!);
      expect(await ended(a!)).toMatchObject({ state: 'success', try: 1, worker: worker.workerId });
      const job = await waitFor('the job to complete', async () => {
        const j = await executor.queue('default').getJob(`${a!.runId}.echo.1`);
        return j?.finishedOn !== undefined ? j : undefined;
      });
      expect(job.returnvalue).toEqual({ outcome: 'success' });
      expect(job.processedBy).toBe(worker.workerId);
    });

    it('runs a try handed over again after its first job ended without reaching the store', async () => {
      let refusals = 1;
      const claimTask: OrchestrationStore['claimTask'] = async (o) => {
        if (refusals-- > 0) throw new Error('store unreachable');
        return store.claimTask(o);
      };
      // The memory store keeps its state in #private fields: its methods must run on the store itself.
      const flaky = new Proxy(store, {
        get: (target, key) => {
          const value = Reflect.get(target, key) as unknown;
          return key === 'claimTask' ? claimTask : typeof value === 'function' ? (value as () => unknown).bind(target) : value;
        },
      });
      await start({ store: flaky });
      const [a] = await queuedTries(store, [{ taskId: 'echo', job: 'ECHO' }]);
      const jobId = `${a!.runId}.echo.1`;
      await executor.submit(a!);
      await waitFor('the first job to fail', async () => ((await executor.queue('default').getJobState(jobId)) === 'failed' ? true : undefined));
      expect((await store.taskInstances(a!.runId))[0]?.state).toBe('queued');
      // What the scheduler does with a try that stays queued: it hands it over again.
      await executor.submit(a!);
      expect(await ended(a!)).toMatchObject({ state: 'success', try: 1 });
    });

    it('never runs more tries of a pool at once than its global limit, with two workers that would each take more', async () => {
      await start({ concurrency: 5 });
      await start({ concurrency: 5 });
      const attempts = await queuedTries(
        store,
        Array.from({ length: 12 }, (_, i) => ({ taskId: `t${i}`, job: 'COUNT', pool: 'io', params: { dir, pool: 'io', ms: 150 } })),
      );
      await Promise.all(attempts.map((a) => executor.submit(a)));
      const ends = await Promise.all(attempts.map(ended));
      expect(ends.every((t) => t.state === 'success')).toBe(true);
      expect(Math.max(...ends.map((t) => Number(t.result?.['concurrent'])))).toBe(pools.io);
      expect(new Set(ends.map((t) => t.worker)).size).toBe(2);
    });

    it('drives the scheduler tick from one worker at a time: each fire is handled once across two workers', async () => {
      const fired: { worker: string; at: number }[] = [];
      const tickOf = (name: string) => async (tick: { firedAt: Date }) => void fired.push({ worker: name, at: tick.firedAt.getTime() });
      await start({ pools: [], onTick: tickOf('a'), tickSeconds: 0.2 });
      await start({ pools: [], onTick: tickOf('b'), tickSeconds: 0.2 });
      await waitFor('8 ticks', () => (fired.length >= 8 ? true : undefined));
      const times = fired.map((f) => f.at);
      expect(new Set(times).size).toBe(times.length);
      // After the first fire (immediate; BullMQ then aligns to its slots) fires are about one interval apart: the
      // second worker to start adds no ticks of its own.
      const sorted = [...times].sort((x, y) => x - y).slice(1);
      for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(100);
      expect(fired.map((f) => f.worker).every((w) => w === 'a' || w === 'b')).toBe(true);
    });
  });
});
