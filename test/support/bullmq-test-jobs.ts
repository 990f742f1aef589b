/**
 * A small job catalog for executor tests (imported by URL, like the built-in one, so worker child processes and
 * sandboxed processors load it too): jobs that hold, append to a file (an effect to count), spin the CPU, fail.
 */
import { appendFileSync, existsSync } from 'node:fs';
import { z } from 'zod';
import { ValidationError } from '../../src/shared/index.ts';
import type { AttemptCatalog, AttemptJobContext } from '../../src/orchestration/bullmq-run-attempt.ts';

/** Module URL and export of this catalog. */
export const TEST_CATALOG = { module: new URL(import.meta.url).href, exportName: 'TEST_JOBS' } as const;

/** Tries running right now and the most seen at once, per pool, across every worker in this process. */
export interface ConcurrencyTrace {
  active: Record<string, number>;
  max: Record<string, number>;
}
const TRACE_KEY = Symbol.for('pickwise.test.concurrency');
export function concurrencyTrace(): ConcurrencyTrace {
  const g = globalThis as { [TRACE_KEY]?: ConcurrencyTrace };
  return (g[TRACE_KEY] ??= { active: {}, max: {} });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => (clearTimeout(timer), reject(signal.reason as Error)), { once: true });
  });
}

const hold = z.object({ ms: z.number().int().min(0).max(60_000), pool: z.string() }).strict();
const append = z.object({ file: z.string(), line: z.string(), holdWhileExists: z.string().optional() }).strict();
const spin = z.object({ ms: z.number().int().min(0).max(600_000) }).strict();
const fail = z.object({ retryable: z.boolean() }).strict();

export const TEST_JOBS: AttemptCatalog = {
  NOOP: { cpuHeavy: false, params: z.object({}).strict(), run: async () => ({}) },
  HOLD: {
    cpuHeavy: false,
    params: hold,
    async run(ctx: AttemptJobContext) {
      const p = ctx.params as z.infer<typeof hold>;
      const trace = concurrencyTrace();
      trace.active[p.pool] = (trace.active[p.pool] ?? 0) + 1;
      trace.max[p.pool] = Math.max(trace.max[p.pool] ?? 0, trace.active[p.pool]!);
      try {
        await sleep(p.ms, ctx.signal);
      } finally {
        trace.active[p.pool]! -= 1;
      }
      return {};
    },
  },
  APPEND: {
    cpuHeavy: false,
    params: append,
    async run(ctx: AttemptJobContext) {
      const p = ctx.params as z.infer<typeof append>;
      ctx.log.info({ pid: process.pid }, 'appending');
      // Bounded: at most 60 s of waiting for the test to remove the marker file.
      for (let i = 0; i < 1200 && p.holdWhileExists !== undefined && existsSync(p.holdWhileExists); i++) await sleep(50, ctx.signal);
      appendFileSync(p.file, `${p.line}\n`);
      return { pid: process.pid };
    },
  },
  SPIN: {
    cpuHeavy: true,
    params: spin,
    async run(ctx: AttemptJobContext) {
      const p = ctx.params as z.infer<typeof spin>;
      ctx.log.info({ pid: process.pid }, 'spinning');
      const until = Date.now() + p.ms;
      let x = 0;
      // CPU-bound on purpose: never yields, never looks at the signal (only a kill stops it).
      while (Date.now() < until) x += Math.sqrt(x + 1);
      return { pid: process.pid, x: x > 0 };
    },
  },
  FAIL: {
    cpuHeavy: false,
    params: fail,
    async run(ctx: AttemptJobContext) {
      const p = ctx.params as z.infer<typeof fail>;
      if (p.retryable) throw new Error('flaky backend');
      throw new ValidationError('bad input');
    },
  },
};
