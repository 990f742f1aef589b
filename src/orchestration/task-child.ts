/**
 * A child process that runs one try of one CPU-heavy job (started by the local executor, see task-child-process.ts):
 * it opens its own warehouse and bucket from the configuration it is sent, runs the job, sends its log lines and
 * its end over the IPC channel, and exits. Killing it (a timeout, a cancelled run) stops the job for real.
 */
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
// given to another worker. A job that does not stop within a few seconds is left no choice.
process.on('disconnect', () => {
  if (finished) return;
  abort.abort(new Error('the worker that started this try went away'));
  setTimeout(() => process.exit(1), ORPHAN_GRACE_MS).unref();
});

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
