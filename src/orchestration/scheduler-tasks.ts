import type { Clock, Rng } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
import type { DagRunRecord, DagSpec, JsonObject, OrchestrationStore, TaskAttempt, TaskExecutor, TaskInstanceRecord, TaskSpec, TaskState } from './ports.ts';
import { retryDelaySeconds } from './retry-delay.ts';
import type { TickCounters } from './scheduler-types.ts';

/** What advancing runs needs, and the process's memory of the tries it handed over. */
export interface TaskStepper {
  readonly store: OrchestrationStore;
  readonly executor: TaskExecutor;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly logger: Logger;
  readonly requeueMs: number;
  /** `<run>.<task>.<try>` → when this process last handed it to the executor. */
  readonly submitted: Map<string, number>;
}

/** Per tick: whether this is the scheduler's first (a restart: queued tries an executor may have lost go again). */
export interface StepOptions {
  readonly firstTick: boolean;
}

const GIVEN_UP: readonly TaskState[] = ['failed', 'upstream_failed', 'canceled'];
const DONE: readonly TaskState[] = ['success', ...GIVEN_UP];

/** The outcome of a run whose tasks are all done, or undefined while some are not. */
export function runOutcome(tasks: readonly TaskInstanceRecord[]): { state: 'success' } | { state: 'failed'; error: string } | undefined {
  if (!tasks.every((t) => DONE.includes(t.state))) return undefined;
  const failed = tasks.filter((t) => t.state === 'failed').map((t) => t.taskId);
  if (failed.length > 0) return { state: 'failed', error: `task${failed.length > 1 ? 's' : ''} ${failed.join(', ')} failed` };
  const canceled = tasks.filter((t) => t.state === 'canceled').map((t) => t.taskId);
  if (canceled.length > 0) return { state: 'failed', error: `tasks canceled: ${canceled.join(', ')}` };
  const upstream = tasks.filter((t) => t.state === 'upstream_failed');
  return upstream.length > 0 ? { state: 'failed', error: 'upstream tasks failed' } : { state: 'success' };
}

/**
 * One step of a running run: ends read from the store (a failed try that may be retried → up_for_retry with its
 * backoff; for good → its downstream upstream_failed), ready tasks queued (pending with every dependency succeeded,
 * retries whose time came) and handed to the executor, tries an executor may have lost handed over again. Every
 * write is a compare-and-set on (state, try), so two schedulers stepping one run never double a try.
 */
export async function stepRun(
  s: TaskStepper,
  o: StepOptions & { readonly dag: DagSpec; readonly run: DagRunRecord; readonly counters: TickCounters },
): Promise<readonly TaskInstanceRecord[]> {
  const { dag, run, counters } = o;
  const now = s.clock();
  const tasks = new Map((await s.store.taskInstances(run.id)).map((t) => [t.taskId, t]));
  const specs = new Map(dag.tasks.map((t) => [t.id, t]));
  const set = (t: TaskInstanceRecord, patch: Partial<TaskInstanceRecord>) => tasks.set(t.taskId, { ...t, ...patch });

  for (const task of [...tasks.values()].filter((t) => t.state === 'failed')) {
    const spec = specs.get(task.taskId);
    if (spec === undefined || task.try >= task.maxTries) continue;
    const tries = await s.store.tries(run.id, task.taskId);
    const last = tries.find((t) => t.try === task.try);
    if (last?.retryable !== true) continue;
    const endedAt = last.endedAt ?? now;
    const nextTryAt = new Date(endedAt.getTime() + retryDelaySeconds(spec.retry, task.try, s.rng) * 1000);
    const moved = await s.store.transitionTask({
      runId: run.id,
      taskId: task.taskId,
      from: ['failed'],
      try: task.try,
      to: 'up_for_retry',
      at: now,
      patch: { nextTryAt },
    });
    if (moved) {
      counters.retriesScheduled += 1;
      set(task, { state: 'up_for_retry', nextTryAt });
    } else {
      // Another scheduler moved it first: take its view, so its downstream is not failed by mistake.
      const fresh = (await s.store.taskInstances(run.id)).find((t) => t.taskId === task.taskId);
      if (fresh !== undefined) tasks.set(fresh.taskId, fresh);
    }
  }

  for (const task of [...tasks.values()].filter((t) => !specs.has(t.taskId) && !DONE.includes(t.state) && t.state !== 'running')) {
    // The DAG changed since the run was created: a task it no longer has will never be ready.
    const error = `task ${task.taskId} is no longer in DAG ${dag.id}`;
    const from = ['pending', 'queued', 'up_for_retry'] as const;
    if (await s.store.transitionTask({ runId: run.id, taskId: task.taskId, from, try: task.try, to: 'canceled', at: now, patch: { error } })) {
      set(task, { state: 'canceled', error });
    }
  }

  for (const spec of dag.tasks) {
    const task = tasks.get(spec.id);
    if (task === undefined) continue;
    if (task.state === 'pending') {
      const deps = spec.deps.map((d) => tasks.get(d));
      const broken = deps.find((d) => d !== undefined && GIVEN_UP.includes(d.state));
      if (broken !== undefined) {
        const error = `upstream task ${broken.taskId} ${broken.state === 'failed' ? 'failed' : broken.state.replace('_', ' ')}`;
        if (
          await s.store.transitionTask({
            runId: run.id,
            taskId: task.taskId,
            from: ['pending'],
            try: task.try,
            to: 'upstream_failed',
            at: now,
            patch: { error },
          })
        ) {
          set(task, { state: 'upstream_failed', error });
        }
      } else if (deps.every((d) => d?.state === 'success')) {
        await queueTry(s, { run, spec, task, tasks, counters });
      }
    } else if (task.state === 'up_for_retry' && (task.nextTryAt === undefined || task.nextTryAt.getTime() <= now.getTime())) {
      await queueTry(s, { run, spec, task, tasks, counters });
    } else if (task.state === 'queued') {
      const handedAt = Math.max(s.submitted.get(attemptId(run.id, task.taskId, task.try)) ?? 0, task.queuedAt?.getTime() ?? 0);
      if (o.firstTick || now.getTime() - handedAt >= s.requeueMs) await submit(s, { run, spec, task, tasks, counters });
    }
  }
  return [...tasks.values()];
}

interface TryContext {
  readonly run: DagRunRecord;
  readonly spec: TaskSpec;
  readonly task: TaskInstanceRecord;
  readonly tasks: Map<string, TaskInstanceRecord>;
  readonly counters: TickCounters;
}

const attemptId = (runId: string, taskId: string, tryNo: number): string => `${runId}.${taskId}.${tryNo}`;

/** pending / up_for_retry → queued with the next try, then handed over; put back as it was when the hand-over fails. */
async function queueTry(s: TaskStepper, c: TryContext): Promise<void> {
  const now = s.clock();
  const from = c.task.state;
  const nextTry = c.task.try + 1;
  const queued = await s.store.transitionTask({
    runId: c.run.id,
    taskId: c.task.taskId,
    from: [from],
    try: c.task.try,
    to: 'queued',
    at: now,
    patch: { try: nextTry, nextTryAt: null },
  });
  if (!queued) return; // another scheduler queued it
  const task: TaskInstanceRecord = { ...c.task, state: 'queued', try: nextTry, queuedAt: now };
  c.tasks.set(task.taskId, task);
  if (await submit(s, { ...c, task })) return;
  const back = await s.store.transitionTask({
    runId: c.run.id,
    taskId: task.taskId,
    from: ['queued'],
    try: nextTry,
    to: from,
    at: s.clock(),
    patch: { try: c.task.try, ...(from === 'up_for_retry' ? { nextTryAt: now } : {}) },
  });
  if (back) c.tasks.set(task.taskId, c.task);
}

async function submit(s: TaskStepper, c: TryContext): Promise<boolean> {
  const upstream: Record<string, JsonObject> = {};
  for (const dep of c.spec.deps) upstream[dep] = c.tasks.get(dep)?.result ?? {};
  const attempt: TaskAttempt = {
    runId: c.run.id,
    dagId: c.run.dagId,
    runKey: c.run.runKey,
    logicalTime: c.run.logicalTime.toISOString(),
    taskId: c.task.taskId,
    try: c.task.try,
    job: c.task.job,
    params: c.task.params,
    pool: c.task.pool,
    timeout: c.spec.timeout,
    upstream,
  };
  try {
    await s.executor.submit(attempt);
  } catch (error) {
    const message = `submitting ${attemptId(c.run.id, c.task.taskId, c.task.try)} failed: ${(error as Error).message}`;
    s.logger.warn({ err: error, runId: c.run.id, taskId: c.task.taskId, try: c.task.try }, message);
    c.counters.errors.push(message);
    return false;
  }
  s.submitted.set(attemptId(c.run.id, c.task.taskId, c.task.try), s.clock().getTime());
  c.counters.triesSubmitted += 1;
  return true;
}

/**
 * A running try whose lease lapsed (its worker died or hung): a failed try that may be retried. Moved on with a
 * compare-and-set on (running, try), so only one scheduler counts it.
 */
export async function expireLease(s: TaskStepper, task: TaskInstanceRecord, retry: TaskSpec['retry'] | undefined, counters: TickCounters): Promise<void> {
  const now = s.clock();
  const error = `lease lapsed at ${task.leaseUntil?.toISOString() ?? '?'} (worker ${task.worker ?? '?'} stopped heartbeating)`;
  const retryable = retry !== undefined && task.try < task.maxTries;
  const nextTryAt = retryable ? new Date(now.getTime() + retryDelaySeconds(retry, task.try, s.rng) * 1000) : undefined;
  const moved = await s.store.transitionTask({
    runId: task.runId,
    taskId: task.taskId,
    from: ['running'],
    try: task.try,
    to: retryable ? 'up_for_retry' : 'failed',
    at: now,
    patch: { error, ...(nextTryAt !== undefined ? { nextTryAt } : {}) },
  });
  if (!moved) return;
  counters.leasesExpired += 1;
  if (retryable) counters.retriesScheduled += 1;
  s.logger.warn({ runId: task.runId, taskId: task.taskId, try: task.try, worker: task.worker }, error);
}
