import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogger } from '../../test/support/captured-logger.ts';
import { TEST_JOBS_REF } from '../../test/support/orchestration-jobs.ts';
import { queuedTries } from '../../test/support/queued-tries.ts';
import { MemoryOrchestrationStore } from './memory-orchestration-store.ts';
import { silentLogger } from '../shared/io.ts';
import { configSchema } from '../config/index.ts';
import { createLocalExecutor } from './local-executor.ts';
import { taskExecutorContract, waitFor } from './task-executor.contract.ts';

const deps = {
  config: configSchema.parse({}),
  logger: silentLogger(),
  store: () => Promise.reject(new Error('the test jobs use no bucket')),
  warehouse: () => Promise.reject(new Error('the test jobs use no warehouse')),
};

taskExecutorContract({
  name: 'local',
  async create({ store, catalog, pools, leaseSeconds }) {
    const executor = createLocalExecutor({ store, deps, catalog, pools, leaseSeconds, killGraceMs: 500 });
    return { executor, stop: () => executor.close(0) };
  },
});

describe('local executor', () => {
  let store: MemoryOrchestrationStore;
  let dir: string;
  beforeEach(() => {
    store = new MemoryOrchestrationStore();
    dir = mkdtempSync(join(tmpdir(), 'pickwise-local-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('on close, lets running tries finish for the grace, then stops them as retryable; then takes no more', async () => {
    const executor = createLocalExecutor({ store, deps, catalog: TEST_JOBS_REF, pools: { default: 1 }, leaseSeconds: 30 });
    const [hold, waiting] = await queuedTries(store, [
      { taskId: 'hold', job: 'HOLD', params: { dir } },
      { taskId: 'waiting', job: 'ECHO' },
    ]);
    await executor.submit(hold!);
    await executor.submit(waiting!);
    expect(executor.load()).toEqual({ default: { queued: 1, running: 1 } });
    await waitFor('the job to start', async () =>
      (await store.taskInstances(hold!.runId)).find((t) => t.taskId === 'hold')!.state === 'running' ? true : undefined,
    );
    await executor.close(50);
    const tasks = await store.taskInstances(hold!.runId);
    expect(tasks.find((t) => t.taskId === 'hold')).toMatchObject({ state: 'failed', error: expect.stringMatching(/shutting down/) });
    expect((await store.tries(hold!.runId, 'hold'))[0]).toMatchObject({ retryable: true });
    expect(tasks.find((t) => t.taskId === 'waiting')).toMatchObject({ state: 'queued' });
    expect(existsSync(join(dir, 'aborted', 'hold'))).toBe(true);
    await expect(executor.submit(waiting!)).rejects.toThrow(/closed/);
  });

  it("runs a task of a pool it does not know in the 'default' pool, saying so once", async () => {
    const log = capturedLogger();
    const executor = createLocalExecutor({ store, deps: { ...deps, logger: log.logger }, catalog: TEST_JOBS_REF, pools: { default: 1 }, leaseSeconds: 30 });
    const attempts = await queuedTries(store, [
      { taskId: 'a', job: 'COUNT', pool: 'gpu', params: { dir, pool: 'default', ms: 20 } },
      { taskId: 'b', job: 'COUNT', pool: 'gpu', params: { dir, pool: 'default', ms: 20 } },
      { taskId: 'c', job: 'COUNT', params: { dir, pool: 'default', ms: 20 } },
    ]);
    for (const a of attempts) await executor.submit(a);
    await executor.idle();
    const tasks = await store.taskInstances(attempts[0]!.runId);
    expect(tasks.map((t) => [t.state, t.result?.['concurrent']])).toEqual([
      ['success', 1],
      ['success', 1],
      ['success', 1],
    ]);
    expect(log.lines().filter((l) => l.msg.includes("pool 'gpu' is not configured"))).toHaveLength(1);
    await executor.close();
  });
});

describe('task child process', () => {
  it('ends when the worker that started it is killed, even in the middle of a CPU-bound job', async () => {
    const worker = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('../../test/support/orphan-worker.ts', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    worker.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    const pid = await waitFor('the spinning child', () => /"pid":(\d+),"msg":"spinning"/.exec(out)?.[1]);
    worker.kill('SIGKILL');
    await waitFor('the child to end', () => {
      try {
        process.kill(Number(pid), 0);
        return undefined;
      } catch {
        return true;
      }
    });
  });
});
