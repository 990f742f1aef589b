/**
 * A child process that runs one try of one CPU-heavy job (started by the local executor, see task-child-process.ts):
 * it opens its own warehouse and bucket from the configuration it is sent, runs the job, sends its log lines and
 * its end over the IPC channel, and exits. Killing it (a timeout, a cancelled run) stops the job for real.
 */
import { Worker } from 'node:worker_threads';
import { loadJobCatalog, runJob } from '../pipeline/index.ts';
import { isRetryable } from './retryable.ts';
import { lineLogger } from './task-log.ts';
import { openJobDeps } from './task-child-deps.ts';
import type { ChildMessage, ChildStart } from './task-child-protocol.ts';

const send = (message: ChildMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, undefined, () => resolve());
  });

const ORPHAN_GRACE_MS = 5_000;
const abort = new AbortController();
let finished = false;
// SIGTERM: ask the job to stop (it may release locks on the way out); the parent sends SIGKILL after its grace.
process.on('SIGTERM', () => abort.abort(new Error('the try was stopped (timeout, cancelled run or worker shutdown)')));
// The worker that started this try is gone (killed): stop too, rather than finish a try whose lease will lapse and be
// given to another worker. A job that yields sees the channel close; one that holds the thread (a long fit) cannot,
// so a watchdog thread, free whatever the job does, ends the process when its parent changes.
process.on('disconnect', () => {
  if (finished) return;
  abort.abort(new Error('the worker that started this try went away'));
  setTimeout(() => process.exit(1), ORPHAN_GRACE_MS).unref();
});
startWatchdog();

process.once('message', (message: ChildStart) => {
  // Exit once the end is sent and the connections are closed, whatever handles a job left open.
  void run(message).finally(() => process.exit(0));
});

async function run(start: ChildStart): Promise<void> {
  const log = lineLogger((line) => void send({ type: 'log', line }), start.logLevel);
  const deps = openJobDeps(start.config, log);
  const a = start.attempt;
  try {
    const result = await runJob({
      job: a.job,
      params: a.params,
      deps,
      catalog: await loadJobCatalog(start.catalog),
      signal: abort.signal,
      log,
      logicalTime: new Date(a.logicalTime),
      runKey: a.runKey,
      taskId: a.taskId,
      upstream: a.upstream,
    });
    await send({ type: 'result', result });
  } catch (error) {
    await send({ type: 'error', message: error instanceof Error ? error.message : String(error), retryable: isRetryable(error) });
  } finally {
    finished = true;
    await deps.close();
  }
}

/** Checks every half second, from a thread of its own, that the parent is still there; kills this process when not. */
function startWatchdog(): void {
  const code = `
    const { readFileSync } = require('node:fs');
    const { workerData } = require('node:worker_threads');
    // Linux: the parent pid as it is now (a dead parent's children are adopted); elsewhere: is the parent still alive.
    const parentGone = () => {
      try {
        const stat = readFileSync('/proc/self/stat', 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) !== workerData.parent;
      } catch {
        try { process.kill(workerData.parent, 0); return false; } catch { return true; }
      }
    };
    setInterval(() => { if (parentGone()) process.kill(process.pid, 'SIGKILL'); }, 500);
  `;
  new Worker(code, { eval: true, workerData: { parent: process.ppid } }).unref();
}
