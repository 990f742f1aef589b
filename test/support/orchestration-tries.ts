/**
 * Builds queued task tries the way the scheduler does (a run with its task instances, each moved pending →
 * queued with try 1) and waits for tries to end, for executor tests that run without a scheduler.
 */
import { randomBytes } from 'node:crypto';
import { uuidV7 } from '../../src/shared/index.ts';
import type { JsonObject, OrchestrationStore, TaskAttempt, TaskInstanceRecord } from '../../src/orchestration/ports.ts';

export interface TestTask {
  readonly taskId: string;
  readonly job: string;
  readonly params?: JsonObject;
  readonly pool?: string;
  readonly timeout?: number;
  readonly maxTries?: number;
}

/** Creates one run holding `tasks`, queues try 1 of each, and returns the attempts to submit. */
export async function queueTries(store: OrchestrationStore, tasks: readonly TestTask[]): Promise<TaskAttempt[]> {
  const now = new Date();
  const runId = uuidV7();
  const runKey = `manual@${runId}`;
  await store.createRun(
    { id: runId, dagId: 'test', runKey, trigger: 'manual', logicalTime: now, conf: {}, createdAt: now },
    tasks.map((t) => ({ taskId: t.taskId, job: t.job, pool: t.pool ?? 'default', params: t.params ?? {}, maxTries: t.maxTries ?? 3 })),
  );
  const attempts: TaskAttempt[] = [];
  for (const t of tasks) {
    const queued = await store.transitionTask({ runId, taskId: t.taskId, from: ['pending'], to: 'queued', at: now, patch: { try: 1 } });
    if (!queued) throw new Error(`could not queue ${t.taskId}`);
    attempts.push(attemptOf({ runId, runKey, logicalTime: now, task: t, try: 1 }));
  }
  return attempts;
}

export function attemptOf(o: { runId: string; runKey: string; logicalTime: Date; task: TestTask; try: number }): TaskAttempt {
  return {
    runId: o.runId,
    dagId: 'test',
    runKey: o.runKey,
    logicalTime: o.logicalTime.toISOString(),
    taskId: o.task.taskId,
    try: o.try,
    job: o.task.job,
    params: o.task.params ?? {},
    pool: o.task.pool ?? 'default',
    timeout: o.task.timeout ?? 60,
    upstream: {},
  };
}

/** Polls the store (every 25 ms, at most `timeoutMs`) until `done` holds for the run's tasks; returns them. */
export async function waitForTasks(
  store: OrchestrationStore,
  runId: string,
  done: (tasks: readonly TaskInstanceRecord[]) => boolean,
  timeoutMs = 30_000,
): Promise<readonly TaskInstanceRecord[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const tasks = await store.taskInstances(runId);
    if (done(tasks)) return tasks;
    if (Date.now() > deadline) throw new Error(`tasks did not reach the expected state in ${timeoutMs} ms: ${JSON.stringify(tasks, null, 1)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export const allEnded = (tasks: readonly TaskInstanceRecord[]): boolean => tasks.every((t) => ['success', 'failed'].includes(t.state));

/** A queue prefix no other test uses on the shared Redis. */
export function uniquePrefix(tag: string): string {
  return `t-${tag}-${randomBytes(4).toString('hex')}`;
}
