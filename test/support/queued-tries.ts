import { uuidV7 } from '../../src/shared/index.ts';
import type { JsonObject, OrchestrationStore, TaskAttempt } from '../../src/orchestration/index.ts';

export interface NewTask {
  readonly taskId: string;
  readonly job: string;
  readonly params?: JsonObject;
  readonly pool?: string;
  /** Seconds; default 20. */
  readonly timeout?: number;
  readonly upstream?: Readonly<Record<string, JsonObject>>;
}

/** A new running DAG run with these tasks, each queued for its first try (as the scheduler leaves them); the attempts to submit. */
export async function queuedTries(store: OrchestrationStore, tasks: readonly NewTask[], at = new Date()): Promise<TaskAttempt[]> {
  const id = uuidV7();
  const runKey = `manual@${id}`;
  await store.createRun(
    { id, dagId: 'test', runKey, trigger: 'manual', logicalTime: at, conf: {}, createdAt: at },
    tasks.map((t) => ({ taskId: t.taskId, job: t.job, pool: t.pool ?? 'default', params: t.params ?? {}, maxTries: 3 })),
  );
  await store.transitionRun({ id, from: ['queued'], to: 'running', at });
  const attempts: TaskAttempt[] = [];
  for (const t of tasks) {
    if (!(await store.transitionTask({ runId: id, taskId: t.taskId, from: ['pending'], to: 'queued', at, patch: { try: 1 } })))
      throw new Error(`could not queue ${t.taskId}`);
    attempts.push({
      runId: id,
      dagId: 'test',
      runKey,
      logicalTime: at.toISOString(),
      taskId: t.taskId,
      try: 1,
      job: t.job,
      params: t.params ?? {},
      pool: t.pool ?? 'default',
      timeout: t.timeout ?? 20,
      upstream: t.upstream ?? {},
    });
  }
  return attempts;
}
