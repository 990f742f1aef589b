import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configSchema } from '../config/index.ts';
import { silentLogger } from '../shared/io.ts';
import { TEST_JOBS_REF } from '../../test/support/orchestration-jobs.ts';
import { queuedTries } from '../../test/support/queued-tries.ts';
import { MemoryOrchestrationStore } from './memory-orchestration-store.ts';
import { runAttempt, type RunAttemptOptions } from './run-attempt.ts';
import { waitFor } from './task-executor.contract.ts';

const deps = {
  config: configSchema.parse({}),
  logger: silentLogger(),
  store: () => Promise.reject(new Error('no bucket')),
  warehouse: () => Promise.reject(new Error('no warehouse')),
};

describe('runAttempt', () => {
  let store: MemoryOrchestrationStore;
  let dir: string;
  const base = (): Omit<RunAttemptOptions, 'attempt'> => ({ store, deps, catalog: TEST_JOBS_REF, worker: 'host:1:abcdef', leaseSeconds: 30 });
  beforeEach(() => {
    store = new MemoryOrchestrationStore();
    dir = mkdtempSync(join(tmpdir(), 'pickwise-attempt-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('claims with a lease from the clock, runs, and records the end with the worker', async () => {
    const now = new Date('2026-06-01T03:00:00Z');
    const [a] = await queuedTries(store, [{ taskId: 'echo', job: 'ECHO', params: { value: 3 } }], now);
    const claims: unknown[] = [];
    const claim = store.claimTask.bind(store);
    store.claimTask = async (c) => (claims.push(c), claim(c));
    const out = await runAttempt({ ...base(), attempt: a!, clock: () => now });
    expect(out).toMatchObject({ state: 'success', result: { value: 3 }, recorded: true });
    expect(claims).toEqual([{ runId: a!.runId, taskId: 'echo', try: 1, worker: 'host:1:abcdef', at: now, leaseUntil: new Date('2026-06-01T03:00:30Z') }]);
    const [t] = await store.taskInstances(a!.runId);
    expect(t).toMatchObject({ state: 'success', worker: 'host:1:abcdef', endedAt: now, result: { value: 3 } });
    const log = (await store.logs({ runId: a!.runId, taskId: 'echo' })).map((l) => l.message);
    expect(log[0]).toMatch(/^try 1 of echo started/);
    expect(log.at(-1)).toMatch(/^succeeded/);
  });

  it('skips a try it cannot claim (another worker has it) without running the job', async () => {
    const [a] = await queuedTries(store, [{ taskId: 'count', job: 'COUNT', params: { dir, pool: 'default', ms: 0 } }]);
    expect(await store.claimTask({ runId: a!.runId, taskId: 'count', try: 1, worker: 'other', at: new Date(), leaseUntil: new Date() })).toBe(true);
    expect(await runAttempt({ ...base(), attempt: a! })).toEqual({ state: 'skipped' });
    expect(existsSync(join(dir, 'runs', 'count'))).toBe(false);
    expect((await store.taskInstances(a!.runId))[0]).toMatchObject({ state: 'running', worker: 'other' });
  });

  it("stops the job when the worker's signal aborts, and records a retryable failure", async () => {
    const [a] = await queuedTries(store, [{ taskId: 'hold', job: 'HOLD', params: { dir } }]);
    const stop = new AbortController();
    const running = runAttempt({ ...base(), attempt: a!, signal: stop.signal });
    await waitFor('the job to start', async () => ((await store.taskInstances(a!.runId))[0]!.state === 'running' ? true : undefined));
    stop.abort();
    expect(await running).toMatchObject({ state: 'failed', error: expect.stringMatching(/shutting down/), retryable: true, recorded: true });
    expect(existsSync(join(dir, 'aborted', 'hold'))).toBe(true);
  });

  it('says when the end was not recorded (the try was cancelled meanwhile)', async () => {
    const [a] = await queuedTries(store, [{ taskId: 'hold', job: 'HOLD', params: { dir } }]);
    const running = runAttempt({ ...base(), attempt: a!, leaseSeconds: 0.3 });
    await waitFor('the job to start', async () => ((await store.taskInstances(a!.runId))[0]!.state === 'running' ? true : undefined));
    await store.transitionTask({ runId: a!.runId, taskId: 'hold', from: ['running'], to: 'canceled', at: new Date() });
    expect(await running).toMatchObject({ state: 'failed', error: expect.stringMatching(/no longer this worker/), recorded: false });
  });
});

describe('runAttempt when the store fails', () => {
  it('tries again to record the end of a try', async () => {
    const store = new MemoryOrchestrationStore();
    const [a] = await queuedTries(store, [{ taskId: 'echo', job: 'ECHO' }]);
    const finish = store.finishTask.bind(store);
    let failures = 1;
    store.finishTask = async (f) => {
      if (failures-- > 0) throw new Error('connection reset');
      return finish(f);
    };
    expect(await runAttempt({ store, deps, catalog: TEST_JOBS_REF, worker: 'w', leaseSeconds: 30, attempt: a! })).toMatchObject({
      state: 'success',
      recorded: true,
    });
  });
});
