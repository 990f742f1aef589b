import { afterEach, describe, expect, inject, it } from 'vitest';
import { uniquePrefix } from '../../test/support/bullmq-test-jobs.ts';
import { BackendUnavailableError, ConfigError } from '../shared/index.ts';
import { createBullmqExecutor, type BullmqExecutor } from './bullmq-executor.ts';
import type { TaskAttempt } from './ports.ts';

const redisUrl = inject('redisUrl');

const attempt = (over: Partial<TaskAttempt> = {}): TaskAttempt => ({
  runId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b',
  dagId: 'daily',
  runKey: 'cron@2026-12-01T03:00:00.000Z',
  logicalTime: '2026-12-01T03:00:00.000Z',
  taskId: 'train_als',
  try: 1,
  job: 'TRAIN',
  params: { kind: 'als' },
  pool: 'cpu',
  timeout: 600,
  upstream: { features: { rows: 10 } },
  ...over,
});

describe('createBullmqExecutor', () => {
  it('refuses bad options before connecting', () => {
    expect(() => createBullmqExecutor({ url: 'local', prefix: 'p', pools: { default: 1 } })).toThrow(ConfigError);
    expect(() => createBullmqExecutor({ url: 'redis://127.0.0.1:1', prefix: 'a:b', pools: { default: 1 } })).toThrow(ConfigError);
    expect(() => createBullmqExecutor({ url: 'redis://127.0.0.1:1', prefix: 'p', pools: { default: 0 } })).toThrow(/≥ 1/);
  });
});

describe.skipIf(redisUrl === null)('BullMQ executor on a real Redis', () => {
  let executor: BullmqExecutor | undefined;
  afterEach(async () => {
    await executor?.close();
    executor = undefined;
  });

  it('queues each try as one job on its pool queue, id <runId>.<taskId>.<try>, the attempt as data, BullMQ retries off', async () => {
    const prefix = uniquePrefix('exec');
    executor = createBullmqExecutor({ url: redisUrl!, prefix, pools: { cpu: 2, io: 4 } });
    await executor.submit(attempt());
    await executor.submit(attempt({ try: 2 }));
    const queue = executor.queue('cpu');
    expect(queue.name).toBe(`${prefix}-cpu`);
    const jobs = await queue.getJobs(['waiting', 'prioritized', 'delayed']);
    expect(jobs.map((j) => j.id).sort()).toEqual(['0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.train_als.1', '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.train_als.2']);
    const first = jobs.find((j) => j.id!.endsWith('.1'))!;
    expect(first.name).toBe('TRAIN');
    expect(first.data).toEqual(attempt());
    expect(first.opts.attempts).toBe(1);
    expect(await queue.getGlobalConcurrency()).toBe(2);
  });

  it('submits the same try twice as one job', async () => {
    executor = createBullmqExecutor({ url: redisUrl!, prefix: uniquePrefix('idem'), pools: { cpu: 1 } });
    await Promise.all([executor.submit(attempt()), executor.submit(attempt())]);
    await executor.submit(attempt());
    expect(await executor.queue('cpu').getJobCounts('waiting', 'active', 'prioritized')).toEqual({ waiting: 1, active: 0, prioritized: 0 });
  });

  it('refuses a pool that is not configured, and submits after close', async () => {
    executor = createBullmqExecutor({ url: redisUrl!, prefix: uniquePrefix('pool'), pools: { cpu: 1 } });
    await expect(executor.submit(attempt({ pool: 'gpu' }))).rejects.toThrow(/pool "gpu" is not configured/);
    await executor.close();
    await expect(executor.submit(attempt())).rejects.toThrow(BackendUnavailableError);
  });
});
