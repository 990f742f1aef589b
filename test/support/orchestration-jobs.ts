/**
 * Jobs for executor tests, loadable by module URL in another process (a task child, a BullMQ sandboxed processor).
 * They leave their traces in files under a folder the test names, so a test sees what ran wherever it ran.
 */
import { appendFileSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { defineJob, type JobCatalog, type JobCatalogRef } from '../../src/pipeline/index.ts';
import { BackendUnavailableError, ValidationError } from '../../src/shared/index.ts';

const dir = z.string().min(1);

/**
 * Appends one line to `<dir>/runs/<taskId>` (how many times it ran), then, while it runs, keeps a file in
 * `<dir>/running/<pool>`: the files seen there when it starts count the tries of that pool running at once.
 */
const COUNT = defineJob({
  name: 'COUNT',
  description: 'records that it ran and how many tries of its pool ran at the same time',
  params: z.strictObject({ dir, pool: z.string(), ms: z.number().min(0).default(100), cpuHeavy: z.boolean().default(false) }),
  cpuHeavy: false,
  async run(ctx) {
    const { dir: d, pool, ms } = ctx.params;
    mkdirSync(join(d, 'runs'), { recursive: true });
    appendFileSync(join(d, 'runs', ctx.taskId), `${ctx.runKey}\n`);
    const running = join(d, 'running', pool);
    mkdirSync(running, { recursive: true });
    const mine = join(running, `${ctx.taskId}-${process.pid}`);
    writeFileSync(mine, '');
    const concurrent = readdirSync(running).length;
    try {
      await sleep(ms, undefined, { signal: ctx.signal });
    } finally {
      rmSync(mine, { force: true });
    }
    return { concurrent };
  },
});

/** Fails: retryable (a backend down) or not (bad input). */
const FAIL = defineJob({
  name: 'FAIL',
  description: 'throws',
  params: z.strictObject({ retryable: z.boolean(), message: z.string().default('it went wrong') }),
  cpuHeavy: false,
  async run(ctx) {
    ctx.log.warn('about to fail');
    throw ctx.params.retryable ? new BackendUnavailableError(ctx.params.message) : new ValidationError(ctx.params.message);
  },
});

/** Logs a line, then holds until aborted; on abort writes `<dir>/aborted/<taskId>` before it ends. */
const HOLD = defineJob({
  name: 'HOLD',
  description: 'waits until stopped',
  params: z.strictObject({ dir }),
  cpuHeavy: false,
  async run(ctx) {
    ctx.log.info({ pid: process.pid }, 'holding');
    await new Promise<void>((resolve) => ctx.signal.addEventListener('abort', () => resolve(), { once: true }));
    mkdirSync(join(ctx.params.dir, 'aborted'), { recursive: true });
    writeFileSync(join(ctx.params.dir, 'aborted', ctx.taskId), String(ctx.signal.reason));
    throw ctx.signal.reason;
  },
});

/** CPU-heavy and deaf to its signal: logs its pid, then spins until its process is killed. */
const SPIN = defineJob({
  name: 'SPIN',
  description: 'a busy loop that only a kill stops',
  params: z.strictObject({}),
  cpuHeavy: true,
  async run(ctx) {
    ctx.log.info({ pid: process.pid }, 'spinning');
    await sleep(50); // lets the log line reach the parent before the loop takes the thread
    for (;;) Math.sqrt(Math.random());
  },
});

/** Returns what it was given. */
const ECHO = defineJob({
  name: 'ECHO',
  description: 'returns its params, upstream results and run key',
  params: z.strictObject({ value: z.number().default(1) }),
  cpuHeavy: false,
  async run(ctx) {
    return { value: ctx.params.value, runKey: ctx.runKey, logicalTime: ctx.logicalTime.toISOString(), upstream: ctx.upstream };
  },
});

/** ECHO, but run in a child process (cpuHeavy). */
const ECHO_CHILD = defineJob({ ...ECHO, name: 'ECHO_CHILD', cpuHeavy: true });

export const TEST_JOBS: JobCatalog = { COUNT, FAIL, HOLD, SPIN, ECHO, ECHO_CHILD };
export const TEST_JOBS_REF: JobCatalogRef = { module: import.meta.url, exportName: 'TEST_JOBS' };
