/**
 * Runs one try of one task for the BullMQ worker: claim (a CAS: someone else's or cancelled → nothing), heartbeats
 * every leaseSeconds/3 (a refused heartbeat aborts the job), the job under an AbortSignal and the try's timeout,
 * log lines into the store, and the end (success + result, or failed + error + retryable).
 */
import { Writable } from 'node:stream';
import { pino, type Logger } from 'pino';
import { AppError, ErrorCode, ValidationError } from '../shared/index.ts';
import type { JsonObject, OrchestrationStore, TaskAttempt, TaskLogLine } from './ports.ts';

/** Where a catalog of jobs is: a module (file URL) and the name of its export, so a child process can import it too. */
export interface JobCatalogRef {
  readonly module: string;
  readonly exportName: string;
}

/** What a job gets for one try. */
export interface AttemptJobContext {
  readonly deps: unknown;
  readonly params: unknown;
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly logicalTime: Date;
  readonly runKey: string;
  readonly upstream: Readonly<Record<string, JsonObject>>;
}

/** The part of a job definition that running a try needs. */
export interface AttemptJob {
  readonly cpuHeavy: boolean;
  readonly params: { parse(value: unknown): unknown };
  run(ctx: AttemptJobContext): Promise<JsonObject>;
}

export type AttemptCatalog = Readonly<Record<string, AttemptJob>>;

/** Runs a job: in this process by default, or elsewhere (a sandboxed child process for CPU-heavy jobs). */
export type JobRunner = (o: { readonly job: AttemptJob; readonly ctx: AttemptJobContext; readonly attempt: TaskAttempt }) => Promise<JsonObject>;

export interface RunAttemptOptions {
  readonly attempt: TaskAttempt;
  readonly store: OrchestrationStore;
  readonly catalog: AttemptCatalog;
  readonly deps: unknown;
  readonly worker: string;
  readonly leaseSeconds: number;
  /** Aborts the try from outside (the worker stopping). */
  readonly signal?: AbortSignal;
  readonly runJob?: JobRunner;
  readonly now?: () => Date;
}

export type AttemptOutcome = 'not-claimed' | 'success' | 'failed' | 'lost';

const NOT_RETRYABLE: readonly string[] = [
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.CONFIG_INVALID,
  ErrorCode.NOT_FOUND,
  ErrorCode.CONFLICT,
  ErrorCode.FILE_REJECTED,
];

/** Whether a failed try may be tried again (the user's errors are not; crashes, timeouts, unknown errors are). */
export function isRetryableError(error: unknown): boolean {
  const code = error instanceof AppError ? error.code : (error as { code?: unknown } | undefined)?.code;
  return !(typeof code === 'string' && NOT_RETRYABLE.includes(code));
}

const LEVELS: Readonly<Record<number, TaskLogLine['level']>> = { 10: 'debug', 20: 'debug', 30: 'info', 40: 'warn', 50: 'error', 60: 'error' };

export async function runAttempt(o: RunAttemptOptions): Promise<AttemptOutcome> {
  const now = o.now ?? (() => new Date());
  const { attempt, store } = o;
  const key = { runId: attempt.runId, taskId: attempt.taskId, try: attempt.try, worker: o.worker };
  const leaseMs = o.leaseSeconds * 1000;
  const claimedAt = now();
  if (!(await store.claimTask({ ...key, at: claimedAt, leaseUntil: new Date(claimedAt.getTime() + leaseMs) }))) return 'not-claimed';

  const controller = new AbortController();
  const abort = (reason: Error): void => {
    if (!controller.signal.aborted) controller.abort(reason);
  };
  const onOuterAbort = (): void => abort(new Error('the worker is stopping'));
  o.signal?.addEventListener('abort', onOuterAbort, { once: true });
  let lost = false;
  const heartbeat = setInterval(() => {
    const at = now();
    store.heartbeat({ ...key, at, leaseUntil: new Date(at.getTime() + leaseMs) }).then(
      (kept) => {
        if (!kept) {
          lost = true;
          abort(new Error('the try was cancelled or its lease was taken'));
        }
      },
      () => undefined, // a missed heartbeat is retried on the next beat; the lease covers two of them
    );
  }, leaseMs / 3);
  const timeout = setTimeout(() => abort(new Error(`timed out after ${attempt.timeout} s`)), attempt.timeout * 1000);

  const logs = taskLog(store, attempt, now);
  try {
    const job = o.catalog[attempt.job];
    if (!job) throw new AppError({ code: ErrorCode.NOT_FOUND, httpStatus: 404, expected: true }, `no job ${attempt.job} in the catalog`);
    const ctx: AttemptJobContext = {
      deps: o.deps,
      params: parseParams(job, attempt),
      signal: controller.signal,
      log: logs.logger,
      logicalTime: new Date(attempt.logicalTime),
      runKey: attempt.runKey,
      upstream: attempt.upstream,
    };
    const run = o.runJob ?? (({ job: j, ctx: c }) => j.run(c));
    const result = await raceAbort(run({ job, ctx, attempt }), controller.signal);
    await logs.flush();
    return (await store.finishTask({ ...key, at: now(), outcome: { state: 'success', result } })) ? 'success' : 'lost';
  } catch (error) {
    const reason = controller.signal.aborted ? (controller.signal.reason as Error) : error;
    await logs.flush().catch(() => undefined);
    if (lost) return 'lost';
    const message = reason instanceof Error ? reason.message : String(reason);
    const finished = await store.finishTask({
      ...key,
      at: now(),
      outcome: { state: 'failed', error: message, retryable: controller.signal.aborted || isRetryableError(reason) },
    });
    return finished ? 'failed' : 'lost';
  } finally {
    clearInterval(heartbeat);
    clearTimeout(timeout);
    o.signal?.removeEventListener('abort', onOuterAbort);
  }
}

/** The try's parameters checked against the job's schema; a mismatch is the DAG's error, never retried. */
function parseParams(job: AttemptJob, attempt: TaskAttempt): unknown {
  try {
    return job.params.parse(attempt.params);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new ValidationError(`invalid params for job ${attempt.job} in task ${attempt.taskId}: ${detail}`, { cause: error });
  }
}

/** Resolves with the job's result, or rejects as soon as the signal aborts (a job that ignores it is left behind). */
function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A pino logger whose lines go to the task's log in the store, written in batches (readable while the task runs). */
function taskLog(store: OrchestrationStore, attempt: TaskAttempt, now: () => Date): { logger: Logger; flush(): Promise<void> } {
  let seq = 0;
  let pending: TaskLogLine[] = [];
  let writing: Promise<void> = Promise.resolve();
  const flush = (): Promise<void> => {
    const batch = pending;
    pending = [];
    if (batch.length > 0) writing = writing.then(() => store.appendLogs(batch)).catch(() => undefined);
    return writing;
  };
  const add = (level: TaskLogLine['level'], message: string, at = now()): void => {
    pending.push({ runId: attempt.runId, taskId: attempt.taskId, try: attempt.try, seq: ++seq, at, level, message });
    if (pending.length >= 50) void flush();
    else queueMicrotask(() => void flush());
  };
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      for (const line of chunk.toString().split('\n')) {
        if (line.trim() === '') continue;
        try {
          const { level, msg, time, ...rest } = JSON.parse(line) as { level: number; msg?: string; time?: number };
          const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
          add(LEVELS[level] ?? 'info', `${msg ?? ''}${extra}`, time === undefined ? now() : new Date(time));
        } catch {
          add('info', line);
        }
      }
      callback();
    },
  });
  return { logger: pino({ base: undefined, level: 'debug' }, stream), flush };
}

/** Appends one line forwarded from elsewhere (a sandboxed child's pino line) to a logger. */
export function forwardLogLine(logger: Logger, line: string): void {
  try {
    const { level, msg, time: _time, ...rest } = JSON.parse(line) as { level: number; msg?: string; time?: number };
    const method = LEVELS[level] ?? 'info';
    logger[method](rest, msg ?? '');
  } catch {
    logger.info(line);
  }
}
