import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { concurrencyTrace, TEST_CATALOG } from '../../test/support/bullmq-test-jobs.ts';
import { allEnded, queueTries, uniquePrefix, waitForTasks } from '../../test/support/orchestration-tries.ts';
import { createBullmqExecutor, type BullmqExecutor } from './bullmq-executor.ts';
import { startBullmqWorker, type BullmqWorker, type BullmqWorkerOptions } from './bullmq-worker.ts';
import { MemoryOrchestrationStore } from './memory-orchestration-store.ts';

const redisUrl = inject('redisUrl');

describe.skipIf(redisUrl === null)('BullMQ worker on a real Redis', () => {
  let store: MemoryOrchestrationStore;
  let prefix: string;
  let executor: BullmqExecutor;
  let workers: BullmqWorker[];
  const pools = { default: 2, cpu: 1, io: 3 };

  const start = async (over: Partial<BullmqWorkerOptions> = {}): Promise<BullmqWorker> => {
    const worker = await startBullmqWorker({ url: redisUrl!, prefix, pools, store, deps: {}, catalog: TEST_CATALOG, leaseSeconds: 30, ...over });
    workers.push(worker);
    await worker.ready();
    return worker;
  };

  beforeEach(() => {
    store = new MemoryOrchestrationStore();
    prefix = uniquePrefix('worker');
    executor = createBullmqExecutor({ url: redisUrl!, prefix, pools });
    workers = [];
  });
  afterEach(async () => {
    await Promise.all(workers.map((w) => w.stop(0)));
    await executor.close();
  });

  it('runs a submitted try through the store: claimed by this worker, logs written, success with the result', async () => {
    const worker = await start();
    const [attempt] = await queueTries(store, [{ taskId: 'append', job: 'APPEND', params: { file: '/dev/null', line: 'x' } }]);
    await executor.submit(attempt!);
    const [task] = await waitForTasks(store, attempt!.runId, allEnded);
    expect(task).toMatchObject({ state: 'success', try: 1, worker: worker.workerId, result: { pid: process.pid } });
    const tries = await store.tries(attempt!.runId, 'append');
    expect(tries).toMatchObject([{ try: 1, worker: worker.workerId, state: 'success' }]);
    const logs = await store.logs({ runId: attempt!.runId, taskId: 'append' });
    expect(logs.map((l) => l.message)).toEqual([expect.stringMatching(/^appending/)]);
  });

  it('ends failed tries with the error and whether it may be retried', async () => {
    await start();
    const attempts = await queueTries(store, [
      { taskId: 'flaky', job: 'FAIL', params: { retryable: true } },
      { taskId: 'invalid', job: 'FAIL', params: { retryable: false } },
      { taskId: 'bad_params', job: 'FAIL', params: { retryable: 'yes' } },
    ]);
    for (const a of attempts) await executor.submit(a);
    const tasks = await waitForTasks(store, attempts[0]!.runId, allEnded);
    expect(Object.fromEntries(tasks.map((t) => [t.taskId, [t.state, t.error]]))).toEqual({
      flaky: ['failed', 'flaky backend'],
      invalid: ['failed', 'bad input'],
      bad_params: ['failed', expect.stringMatching(/^invalid params for job FAIL in task bad_params: .*retryable/s)],
    });
    const retryable = Object.fromEntries(await Promise.all(attempts.map(async (a) => [a.taskId, (await store.tries(a.runId, a.taskId))[0]?.retryable])));
    expect(retryable).toEqual({ flaky: true, invalid: false, bad_params: false });
  });

  it('never runs more tries of a pool at once than its global limit, with two workers each allowing more', async () => {
    await start({ concurrency: 5 });
    await start({ concurrency: 5 });
    const trace = concurrencyTrace();
    const attempts = await queueTries(
      store,
      Array.from({ length: 12 }, (_, i) => ({ taskId: `t${i}`, job: 'HOLD', pool: 'io', params: { ms: 150, pool: `${prefix}-io` } })),
    );
    await Promise.all(attempts.map((a) => executor.submit(a)));
    const tasks = await waitForTasks(store, attempts[0]!.runId, allEnded);
    expect(tasks.every((t) => t.state === 'success')).toBe(true);
    expect(trace.max[`${prefix}-io`]).toBe(pools.io);
    // Both workers took part.
    expect(new Set(tasks.map((t) => t.worker)).size).toBe(2);
  });

  it('runs a CPU-heavy job in a sandboxed child process, its log lines reaching the task log', async () => {
    await start();
    const [attempt] = await queueTries(store, [{ taskId: 'spin', job: 'SPIN', pool: 'cpu', params: { ms: 50 } }]);
    await executor.submit(attempt!);
    const [task] = await waitForTasks(store, attempt!.runId, allEnded);
    expect(task?.state).toBe('success');
    const pid = (task?.result as { pid: number }).pid;
    expect(pid).not.toBe(process.pid);
    const logs = await store.logs({ runId: attempt!.runId, taskId: 'spin' });
    expect(logs.map((l) => [l.level, l.message])).toEqual([['info', `spinning {"pid":${pid}}`]]);
  });

  it('kills a CPU-bound sandboxed job at its timeout: the try fails as retryable and the next job gets a fresh child', async () => {
    await start();
    const [slow, quick] = await queueTries(store, [
      { taskId: 'spin_forever', job: 'SPIN', pool: 'cpu', params: { ms: 600_000 }, timeout: 1 },
      { taskId: 'spin_short', job: 'SPIN', pool: 'cpu', params: { ms: 10 } },
    ]);
    await executor.submit(slow!);
    await executor.submit(quick!);
    const tasks = await waitForTasks(store, slow!.runId, allEnded);
    expect(tasks.map((t) => [t.taskId, t.state])).toEqual([
      ['spin_forever', 'failed'],
      ['spin_short', 'success'],
    ]);
    expect(tasks[0]?.error).toMatch(/timed out after 1 s/);
    expect((await store.tries(slow!.runId, 'spin_forever'))[0]?.retryable).toBe(true);
  });

  it('drives the scheduler tick from one worker at a time: each fire time is handled once across two workers', async () => {
    const fired: { worker: string; at: number }[] = [];
    const tickOf = (name: string) => async (tick: { firedAt: Date }) => void fired.push({ worker: name, at: tick.firedAt.getTime() });
    await start({ pools: [], onTick: tickOf('a'), tickSeconds: 0.2 });
    await start({ pools: [], onTick: tickOf('b'), tickSeconds: 0.2 });
    for (let i = 0; i < 200 && fired.length < 8; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fired.length).toBeGreaterThanOrEqual(8);
    const times = fired.map((f) => f.at);
    expect(new Set(times).size).toBe(times.length);
    // After the first fire (immediate, then BullMQ aligns to its slots) fires are about one interval apart: a
    // second worker never adds ticks of its own.
    const sorted = [...times].sort((a, b) => a - b).slice(1);
    for (let i = 1; i < sorted.length; i++) expect(sorted[i]! - sorted[i - 1]!).toBeGreaterThanOrEqual(100);
  });
});
