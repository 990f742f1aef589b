/**
 * Runs CPU-heavy jobs in BullMQ sandboxed processors: child processes from BullMQ's ChildPool, each running
 * BullMQ's own child entry (`main.js`) with our processor file, reused between jobs. A CPU-bound job blocks only
 * its child: the worker's lock renewals and heartbeats keep going, and a timeout or cancel kills the child.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type Child, ChildCommand, ChildPool, ParentCommand } from 'bullmq';
import type { JobCatalogRef, JobRunner } from './bullmq-run-attempt.ts';
import { forwardLogLine } from './bullmq-run-attempt.ts';
import type { SandboxPayload } from './bullmq-sandbox-processor.ts';
import type { JsonObject } from './ports.ts';

/** BullMQ's child entry point (CommonJS build, which is what Node resolves `bullmq` to). */
const BULLMQ_CHILD_MAIN = join(dirname(createRequire(import.meta.url).resolve('bullmq')), 'classes', 'main.js');

/** Compiled, the processor is a `.js` file beside this one; from source, a boot file registers tsx first. */
const PROCESSOR_FILE = import.meta.url.endsWith('.js')
  ? new URL('./bullmq-sandbox-processor.js', import.meta.url).href
  : new URL('./bullmq-sandbox-boot.mjs', import.meta.url).href;

/** How long a cancelled sandboxed job gets to stop on its own before its process is killed. */
const KILL_GRACE_MS = 2_000;

export interface SandboxRunner {
  /** Runs CPU-heavy jobs in a child process, the others in this process. */
  readonly runJob: JobRunner;
  /** Kills every child process (running jobs fail). */
  close(): Promise<void>;
}

export function createSandboxRunner(o: { readonly catalog: JobCatalogRef; readonly deps?: JobCatalogRef; readonly killGraceMs?: number }): SandboxRunner {
  const pool = new ChildPool({ mainFile: BULLMQ_CHILD_MAIN });
  const killGraceMs = o.killGraceMs ?? KILL_GRACE_MS;
  let seq = 0;

  const runInChild: JobRunner = async ({ ctx, attempt }) => {
    const child: Child = await pool.retain(PROCESSOR_FILE);
    const payload: SandboxPayload = { attempt, catalog: o.catalog, ...(o.deps ? { deps: o.deps } : {}) };
    let onMessage: ((msg: { cmd: ParentCommand; value?: unknown; err?: unknown }) => void) | undefined;
    let onExit: ((code: number | null, signal: string | null) => void) | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const onAbort = (): void => {
      void child.send({ cmd: ChildCommand.Cancel, value: String((ctx.signal.reason as Error | undefined)?.message ?? 'aborted') }).catch(() => undefined);
      // A CPU-bound job never looks at its signal: after a grace period, the kill is real.
      killTimer = setTimeout(() => void pool.kill(child, 'SIGKILL'), killGraceMs);
    };
    try {
      return await new Promise<JsonObject>((resolve, reject) => {
        onMessage = (msg) => {
          if (msg.cmd === ParentCommand.Completed) resolve(msg.value as JsonObject);
          else if (msg.cmd === ParentCommand.Failed || msg.cmd === ParentCommand.Error) reject(Object.assign(new Error(), msg.value ?? msg.err));
          else if (msg.cmd === ParentCommand.Log) forwardLogLine(ctx.log, String(msg.value));
        };
        onExit = (code, signal) => reject(new Error(`the sandboxed job process exited (code ${code}, signal ${signal})`));
        child.on('message', onMessage);
        child.on('exit', onExit);
        if (ctx.signal.aborted) onAbort();
        else ctx.signal.addEventListener('abort', onAbort, { once: true });
        const job = { id: `${attempt.runId}.${attempt.taskId}.${attempt.try}.${++seq}`, name: attempt.job, data: JSON.stringify(payload), opts: {} };
        child.send({ cmd: ChildCommand.Start, job, token: job.id }).catch(reject);
      });
    } finally {
      clearTimeout(killTimer);
      ctx.signal.removeEventListener('abort', onAbort);
      if (onMessage) child.off('message', onMessage);
      if (onExit) child.off('exit', onExit);
      // A child whose job was cancelled may still be busy: never hand it to the next job.
      if (ctx.signal.aborted) void pool.kill(child, 'SIGKILL');
      else if (child.exitCode === null && child.signalCode === null) pool.release(child);
    }
  };

  return {
    runJob: (args) => (args.job.cpuHeavy ? runInChild(args) : args.job.run(args.ctx)),
    async close() {
      // clean() would SIGTERM, which a child honours only after its current job: stopping means stopping now.
      await Promise.all([...Object.values(pool.retained), ...pool.getAllFree()].map((child) => pool.kill(child, 'SIGKILL')));
    },
  };
}
