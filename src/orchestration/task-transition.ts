import type { TaskInstanceRecord, TaskState, TaskTransition } from './ports.ts';

/** Task states a task never leaves by itself (a hand retry of the run may still reset them). */
export const FINAL_TASK_STATES: readonly TaskState[] = ['success', 'failed', 'upstream_failed', 'canceled'];

/** The fields of a task instance that a transition may change; `null` clears a field. */
export interface TaskTransitionFields {
  readonly state: TaskState;
  readonly try?: number;
  readonly maxTries?: number;
  readonly nextTryAt?: Date | null;
  readonly error?: string | null;
  readonly queuedAt?: Date | null;
  readonly startedAt?: Date | null;
  readonly endedAt?: Date | null;
  readonly worker?: string | null;
  readonly leaseUntil?: Date | null;
  readonly heartbeatAt?: Date | null;
}

/**
 * What a transition writes, shared by every store so they agree: queueing starts a fresh try (the previous try's
 * worker, lease and timings cleared), a final state stamps the end, going back to pending (a run retried by hand)
 * clears the end and the result of the last try.
 */
export function taskTransitionFields(t: TaskTransition): TaskTransitionFields {
  const patch = t.patch ?? {};
  const base = {
    state: t.to,
    ...(patch.try !== undefined ? { try: patch.try } : {}),
    ...(patch.maxTries !== undefined ? { maxTries: patch.maxTries } : {}),
    ...(patch.nextTryAt !== undefined ? { nextTryAt: patch.nextTryAt } : {}),
    ...(patch.error !== undefined ? { error: patch.error } : {}),
  };
  if (t.to === 'queued') {
    return { ...base, queuedAt: t.at, startedAt: null, endedAt: null, worker: null, leaseUntil: null, heartbeatAt: null };
  }
  if (t.to === 'pending') return { ...base, endedAt: null, leaseUntil: null };
  if (t.to === 'up_for_retry' || FINAL_TASK_STATES.includes(t.to)) return { ...base, endedAt: t.at, leaseUntil: null };
  return base;
}

/** Applies {@link taskTransitionFields} to an in-memory record (the memory store's half of the shared rule). */
export function applyTaskTransition(task: TaskInstanceRecord, t: TaskTransition): TaskInstanceRecord {
  const fields = taskTransitionFields(t);
  const out: Record<string, unknown> = { ...task };
  for (const [key, value] of Object.entries(fields)) {
    if (value === null) delete out[key];
    else if (value !== undefined) out[key] = value;
  }
  if (fields.state !== 'success') delete out['result'];
  return out as unknown as TaskInstanceRecord;
}

/** The error a try left open by a transition is closed with when the transition gives none. */
export function closedTryError(to: TaskState): string {
  return to === 'canceled' ? 'canceled' : 'lease lapsed (the worker stopped heartbeating)';
}
