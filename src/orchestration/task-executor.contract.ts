/**
 * The contract every TaskExecutor passes (local, BullMQ): a try runs once however often it is submitted, pools
 * never run more than their limit, a timeout stops the job for real and counts as a retryable failure, errors are
 * recorded with whether they may be retried, logs are readable while the task runs, a cancelled run stops its job,
 * and results are stored. The jobs leave their traces in files, so the suite holds wherever the tries run.
 *
 * ```ts
 * taskExecutorContract({ name: 'local', create: async ({ store, catalog, pools, leaseSeconds }) => { ... } });
 * ```
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JobCatalogRef } from '../pipeline/index.ts';
import { TEST_JOBS_REF } from '../../test/support/orchestration-jobs.ts';
import { queuedTries, type NewTask } from '../../test/support/queued-tries.ts';
import { MemoryOrchestrationStore } from './memory-orchestration-store.ts';
import type { OrchestrationStore, TaskAttempt, TaskExecutor, TaskInstanceRecord } from './ports.ts';

export interface ExecutorUnderTest {
  readonly executor: TaskExecutor;
  /** Closes the executor and whatever the factory started (workers, connections). */
  stop(): Promise<void>;
}

export interface TaskExecutorFactoryOptions {
  readonly store: OrchestrationStore;
  /** The test jobs (COUNT, FAIL, HOLD, SPIN, ECHO, ECHO_CHILD), to be run by module URL. */
  readonly catalog: JobCatalogRef;
  readonly pools: Readonly<Record<string, number>>;
  readonly leaseSeconds: number;
}

export interface TaskExecutorContractOptions {
  readonly name: string;
  readonly create: (o: TaskExecutorFactoryOptions) => Promise<ExecutorUnderTest>;
  /** A fresh run history per test; default in memory (one shared by every process the executor uses, if it has several). */
  readonly store?: () => Promise<OrchestrationStore>;
}

const POOLS = { default: 2, small: 1, wide: 2 } as const;
const LEASE_SECONDS = 0.6;
const WAIT_MS = 30_000;

/** Polls `probe` until it gives a value (bounded): for executor tests. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const until = Date.now() + WAIT_MS;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await sleep(25);
  }
}

export function taskExecutorContract(o: TaskExecutorContractOptions): void {
  describe(`TaskExecutor contract: ${o.name}`, () => {
    let store: OrchestrationStore;
    let under: ExecutorUnderTest;
    let dir: string;

    beforeEach(async () => {
      store = o.store ? await o.store() : new MemoryOrchestrationStore();
      under = await o.create({ store, catalog: TEST_JOBS_REF, pools: POOLS, leaseSeconds: LEASE_SECONDS });
      dir = mkdtempSync(join(tmpdir(), 'pickwise-executor-'));
    });
    afterEach(async () => {
      await under.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const queued = (tasks: readonly NewTask[]): Promise<TaskAttempt[]> => queuedTries(store, tasks);
    const task = async (a: TaskAttempt): Promise<TaskInstanceRecord> => (await store.taskInstances(a.runId)).find((t) => t.taskId === a.taskId)!;
    const ended = (a: TaskAttempt): Promise<TaskInstanceRecord> =>
      waitFor(`${a.taskId} to end`, async () => {
        const t = await task(a);
        return t.state === 'success' || t.state === 'failed' ? t : undefined;
      });
    const logText = async (a: TaskAttempt): Promise<string> => (await store.logs({ runId: a.runId, taskId: a.taskId })).map((l) => l.message).join('\n');

    it('runs a try and stores its result, in process and in a child process', async () => {
      const [a, b] = await queued([
        { taskId: 'echo', job: 'ECHO', params: { value: 7 }, upstream: { before: { n: 1 } } },
        { taskId: 'echo-child', job: 'ECHO_CHILD', params: { value: 8 } },
      ]);
      await under.executor.submit(a!);
      await under.executor.submit(b!);
      const [ta, tb] = [await ended(a!), await ended(b!)];
      expect(ta).toMatchObject({ state: 'success', result: { value: 7, runKey: a!.runKey, logicalTime: a!.logicalTime, upstream: { before: { n: 1 } } } });
      expect(tb).toMatchObject({ state: 'success', result: { value: 8 } });
      const tries = await store.tries(a!.runId, 'echo');
      expect(tries).toHaveLength(1);
      expect(tries[0]).toMatchObject({ try: 1, state: 'success' });
      expect(tries[0]!.worker).toMatch(/^[^:]+:\d+:[A-Za-z0-9]{6}$/);
    });

    it('runs a try once even when it is submitted twice', async () => {
      const [a] = await queued([{ taskId: 'once', job: 'COUNT', params: { dir, pool: 'default', ms: 50 } }]);
      await Promise.all([under.executor.submit(a!), under.executor.submit(a!)]);
      expect((await ended(a!)).state).toBe('success');
      await under.executor.submit(a!);
      // A later try of another task in the same pool ending shows the duplicate had its chance to run.
      const [b] = await queued([{ taskId: 'after', job: 'COUNT', params: { dir, pool: 'default', ms: 0 } }]);
      await under.executor.submit(b!);
      await ended(b!);
      expect(
        readFileSync(join(dir, 'runs', 'once'), 'utf8')
          .trim()
          .split('\n'),
      ).toHaveLength(1);
    });

    it('never runs more tries of a pool at once than its limit', async () => {
      const tasks: NewTask[] = [];
      for (let i = 0; i < 6; i++) tasks.push({ taskId: `wide-${i}`, job: 'COUNT', pool: 'wide', params: { dir, pool: 'wide', ms: 150 } });
      for (let i = 0; i < 3; i++) tasks.push({ taskId: `small-${i}`, job: 'COUNT', pool: 'small', params: { dir, pool: 'small', ms: 150 } });
      const attempts = await queued(tasks);
      await Promise.all(attempts.map((a) => under.executor.submit(a)));
      const ends = await Promise.all(attempts.map((a) => ended(a)));
      expect(ends.every((t) => t.state === 'success')).toBe(true);
      const most = (pool: string) => Math.max(...ends.filter((t) => t.pool === pool).map((t) => Number(t.result?.['concurrent'])));
      expect(most('small')).toBe(1);
      expect(most('wide')).toBe(2);
    });

    it('stops a try at its timeout for real (a CPU-bound job in a child) and records a retryable failure', async () => {
      const [a] = await queued([{ taskId: 'spin', job: 'SPIN', timeout: 6 }]);
      await under.executor.submit(a!);
      // The timeout counts from the claim: it leaves time for a child process to start from TypeScript source.
      const pid = await waitFor('the spinning pid', async () => /spinning \{"pid":(\d+)\}/.exec(await logText(a!))?.[1]);
      const t = await ended(a!);
      expect(t).toMatchObject({ state: 'failed', error: expect.stringMatching(/timed out after 6 s/) });
      expect((await store.tries(a!.runId, 'spin'))[0]).toMatchObject({ state: 'failed', retryable: true });
      await waitFor('the child process to be gone', () => {
        try {
          process.kill(Number(pid), 0);
          return undefined;
        } catch {
          return true;
        }
      });
    });

    it('records errors with whether they may be retried', async () => {
      const [a, b] = await queued([
        { taskId: 'bad-input', job: 'FAIL', params: { retryable: false, message: 'column x is missing' } },
        { taskId: 'backend-down', job: 'FAIL', params: { retryable: true, message: 'database unreachable' } },
      ]);
      await under.executor.submit(a!);
      await under.executor.submit(b!);
      expect(await ended(a!)).toMatchObject({ state: 'failed', error: expect.stringContaining('column x is missing') });
      expect(await ended(b!)).toMatchObject({ state: 'failed', error: expect.stringContaining('database unreachable') });
      expect((await store.tries(a!.runId, 'bad-input'))[0]).toMatchObject({ state: 'failed', retryable: false });
      expect((await store.tries(a!.runId, 'backend-down'))[0]).toMatchObject({ state: 'failed', retryable: true });
      expect(await logText(a!)).toContain('about to fail');
    });

    it('records bad params and unknown jobs as failures that are not retried', async () => {
      const [a, b] = await queued([
        { taskId: 'bad-params', job: 'ECHO', params: { value: 'seven' } },
        { taskId: 'no-such-job', job: 'NO_SUCH_JOB' },
      ]);
      await under.executor.submit(a!);
      await under.executor.submit(b!);
      expect(await ended(a!)).toMatchObject({ state: 'failed', error: expect.stringMatching(/bad params for job ECHO: value: /) });
      expect(await ended(b!)).toMatchObject({ state: 'failed', error: expect.stringMatching(/unknown job 'NO_SUCH_JOB'/) });
      expect((await store.tries(a!.runId)).map((t) => t.retryable)).toEqual([false, false]);
    });

    it('makes the log readable while the task runs, and stops the job when its run is cancelled (a refused heartbeat)', async () => {
      const [a] = await queued([{ taskId: 'hold', job: 'HOLD', params: { dir } }]);
      await under.executor.submit(a!);
      await waitFor('the first log line', async () => ((await logText(a!)).includes('holding') ? true : undefined));
      expect((await task(a!)).state).toBe('running');
      // Cancelling the run: the try is no longer the worker's, its next heartbeat is refused and the job aborted.
      expect(await store.transitionTask({ runId: a!.runId, taskId: 'hold', from: ['running'], to: 'canceled', at: new Date() })).toBe(true);
      await waitFor('the job to be aborted', () => (existsSync(join(dir, 'aborted', 'hold')) ? true : undefined));
      expect((await task(a!)).state).toBe('canceled');
    });

    it('skips a try that is no longer queued when it comes to run', async () => {
      const [a, b] = await queued([
        { taskId: 'canceled', job: 'COUNT', pool: 'small', params: { dir, pool: 'small', ms: 0 } },
        { taskId: 'next', job: 'COUNT', pool: 'small', params: { dir, pool: 'small', ms: 0 } },
      ]);
      await store.transitionTask({ runId: a!.runId, taskId: 'canceled', from: ['queued'], to: 'canceled', at: new Date() });
      await under.executor.submit(a!);
      await under.executor.submit(b!);
      expect((await ended(b!)).state).toBe('success');
      expect(existsSync(join(dir, 'runs', 'canceled'))).toBe(false);
      expect(await store.tries(a!.runId, 'canceled')).toEqual([]);
    });
  });
}
