/**
 * What the BullMQ executor tests share: the executor contract's test jobs plus APPEND (an effect to count, made
 * only after the test lets it go, so a worker killed before then leaves none), job dependencies that open
 * nothing, and a queue prefix per test on the shared Redis.
 */
import { randomBytes } from 'node:crypto';
import { appendFileSync, existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { configSchema } from '../../src/config/index.ts';
import { defineJob, type JobCatalog, type JobCatalogRef, type JobDeps } from '../../src/pipeline/index.ts';
import { silentLogger } from '../../src/shared/io.ts';
import { TEST_JOBS } from './orchestration-jobs.ts';

const APPEND = defineJob({
  name: 'APPEND',
  description: 'appends a line to a file once a marker file is gone (at most 60 s of waiting)',
  params: z.strictObject({ file: z.string(), line: z.string(), holdWhileExists: z.string().optional() }),
  cpuHeavy: false,
  async run(ctx) {
    ctx.log.info({ pid: process.pid }, 'appending');
    const marker = ctx.params.holdWhileExists;
    for (let i = 0; i < 1200 && marker !== undefined && existsSync(marker); i++) await sleep(50, undefined, { signal: ctx.signal });
    appendFileSync(ctx.params.file, `${ctx.params.line}\n`);
    return { pid: process.pid };
  },
});

export const BULLMQ_TEST_JOBS: JobCatalog = { ...TEST_JOBS, APPEND };
export const BULLMQ_TEST_JOBS_REF: JobCatalogRef = { module: import.meta.url, exportName: 'BULLMQ_TEST_JOBS' };

/** Dependencies for test jobs, which use neither the bucket nor the warehouse. */
export function testJobDeps(): JobDeps {
  return {
    config: configSchema.parse({}),
    logger: silentLogger(),
    store: () => Promise.reject(new Error('the test jobs use no bucket')),
    warehouse: () => Promise.reject(new Error('the test jobs use no warehouse')),
  };
}

/** A queue prefix no other test uses on the shared Redis. */
export function uniquePrefix(tag: string): string {
  return `t-${tag}-${randomBytes(4).toString('hex')}`;
}
