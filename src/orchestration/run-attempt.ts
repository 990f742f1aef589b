import { setTimeout as sleep } from 'node:timers/promises';
import {
  BUILTIN_JOB_CATALOG,
  jobDefinition,
  loadJobCatalog,
  parseJobParams,
  runJob,
  type JobCatalogRef,
  type JobDeps,
  type JobResult,
} from '../pipeline/index.ts';
import { systemClock, type Clock } from '../shared/index.ts';
import { TaskLostError, TaskTimeoutError, WorkerStoppingError } from './attempt-errors.ts';
import type { OrchestrationStore, TaskAttempt } from './ports.ts';
import { isRetryable } from './retryable.ts';
import { runInChild, type ChildEnd } from './task-child-process.ts';
import { createTaskLog, type TaskLog } from './task-log.ts';

export interface RunAttemptOptions {
  readonly attempt: TaskAttempt;
  readonly store: OrchestrationStore;
  readonly deps: JobDeps;
  /** Default: the built-in catalog. */
  readonly catalog?: JobCatalogRef;
  /** This worker's id (see createWorkerId). */
  readonly worker: string;
  /** Length of the lease a claim and each heartbeat give; heartbeats come every third of it. */
  readonly leaseSeconds: number;
  readonly clock?: Clock;
  /** The executor's: aborted when the worker shuts down. */
  readonly signal?: AbortSignal;
  /**
   * Run the job in a child process of its own; default: when the job is CPU-heavy. A process that is already
   * the try's own (a BullMQ sandboxed processor) passes false.
   */
  readonly inChild?: boolean;
  /** Between SIGTERM and SIGKILL of a child that must stop; default 5 000. */
  readonly killGraceMs?: number;
}

/** What became of one try: not ours (skipped), or ended; `recorded` false when the store no longer took the end. */
export type AttemptOutcome =
  | { readonly state: 'skipped' }
  | { readonly state: 'success'; readonly result: JobResult; readonly recorded: boolean }
  | { readonly state: 'failed'; readonly error: string; readonly retryable: boolean; readonly recorded: boolean };

/**
 * Runs one try of one task, as every executor does: claims it (a compare-and-set: a try someone else claimed, or
 * one cancelled meanwhile, is skipped), keeps its lease alive with heartbeats (one refused means the try is no
 * longer ours: the job is stopped), stops it at its timeout, writes its log lines as it goes, and records its end.
 * The scheduler reads that end from the store and decides about retries.
 */
export async function runAttempt(o: RunAttemptOptions): Promise<AttemptOutcome> {
  const a = o.attempt;
  const clock = o.clock ?? systemClock;
  const key = { runId: a.runId, taskId: a.taskId, try: a.try, worker: o.worker };
  const leaseUntil = () => new Date(clock().getTime() + o.leaseSeconds * 1000);
  if (!(await o.store.claimTask({ ...key, at: clock(), leaseUntil: leaseUntil() }))) return { state: 'skipped' };

  const taskLog = createTaskLog({ store: o.store, runId: a.runId, taskId: a.taskId, try: a.try, processLogger: o.deps.logger, clock });
  const stop = new AbortController();
  const onStop = () => stop.abort(new WorkerStoppingError());
  if (o.signal?.aborted) onStop();
  else o.signal?.addEventListener('abort', onStop, { once: true });
  // setTimeout holds at most 2^31 − 1 ms (24.8 days): a longer timeout waits that long.
  const timeout = setTimeout(() => stop.abort(new TaskTimeoutError(a.timeout)), Math.min(a.timeout * 1000, 2 ** 31 - 1));
  const heartbeats = setInterval(
    () => {
      o.store.heartbeat({ ...key, at: clock(), leaseUntil: leaseUntil() }).then(
        (ours) => {
          if (!ours) stop.abort(new TaskLostError());
        },
        (error: unknown) => taskLog.logger.warn({ err: error }, 'heartbeat not written (the lease may lapse)'),
      );
    },
    Math.max(10, (o.leaseSeconds * 1000) / 3),
  );
  const started = performance.now();
  taskLog.logger.info({ worker: o.worker, job: a.job }, `try ${a.try} of ${a.taskId} started`);
  let end: ChildEnd;
  try {
    end = await execute(o, taskLog, stop.signal);
  } finally {
    clearTimeout(timeout);
    clearInterval(heartbeats);
    o.signal?.removeEventListener('abort', onStop);
  }
  const seconds = (performance.now() - started) / 1000;
  if (end.ok) taskLog.logger.info({ seconds }, 'succeeded');
  else taskLog.logger.error({ seconds, retryable: end.retryable }, `failed: ${end.message}`);
  await taskLog.close();
  const recorded = await finish(o, {
    ...key,
    at: clock(),
    outcome: end.ok ? { state: 'success', result: end.result } : { state: 'failed', error: end.message, retryable: end.retryable },
  });
  o.deps.logger.info(
    { runId: a.runId, dagId: a.dagId, taskId: a.taskId, try: a.try, job: a.job, worker: o.worker, seconds, state: end.ok ? 'success' : 'failed', recorded },
    'task try ended',
  );
  return end.ok ? { state: 'success', result: end.result, recorded } : { state: 'failed', error: end.message, retryable: end.retryable, recorded };
}

/** Tries of writing the end before giving up (the lease then lapses and the scheduler counts a retryable failure). */
const FINISH_TRIES = 4;

/** `finishTask`, tried again a few times when the store cannot be reached, so a finished job is not run again for a blip. */
async function finish(o: RunAttemptOptions, end: Parameters<OrchestrationStore['finishTask']>[0]): Promise<boolean> {
  for (let i = 1; ; i++) {
    try {
      return await o.store.finishTask(end);
    } catch (error) {
      if (i >= FINISH_TRIES) throw error;
      o.deps.logger.warn({ err: error, runId: end.runId, taskId: end.taskId, try: end.try }, 'could not record the end of a try; trying again');
      await sleep(250 * 2 ** i);
    }
  }
}

/** Runs the job here or in a child; never throws: every failure becomes an end. */
async function execute(o: RunAttemptOptions, taskLog: TaskLog, signal: AbortSignal): Promise<ChildEnd> {
  const a = o.attempt;
  const catalogRef = o.catalog ?? BUILTIN_JOB_CATALOG;
  try {
    const catalog = await loadJobCatalog(catalogRef);
    const def = jobDefinition(a.job, catalog);
    parseJobParams(def, a.params); // bad params fail here, before a child process is started for them
    const inChild = o.inChild ?? def.cpuHeavy;
    if (inChild) {
      return await runInChild({
        start: { attempt: a, catalog: catalogRef, config: o.deps.config, logLevel: taskLog.logger.level },
        signal,
        onLog: (line) => taskLog.writeLine(line),
        ...(o.killGraceMs !== undefined ? { killGraceMs: o.killGraceMs } : {}),
      });
    }
    const job = runJob({
      job: a.job,
      params: a.params,
      deps: o.deps,
      catalog,
      signal,
      log: taskLog.logger,
      logicalTime: new Date(a.logicalTime),
      runKey: a.runKey,
      taskId: a.taskId,
      upstream: a.upstream,
    });
    // A job that ignores its signal still ends the try here (it runs on in the background: CPU-heavy jobs go to a child).
    const stopped = aborted(signal);
    job.catch(() => undefined);
    stopped.catch(() => undefined);
    return { ok: true, result: await Promise.race([job, stopped]) };
  } catch (error) {
    const reason: unknown = signal.aborted ? signal.reason : error;
    return { ok: false, message: reason instanceof Error ? reason.message : String(reason), retryable: isRetryable(reason) };
  }
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
