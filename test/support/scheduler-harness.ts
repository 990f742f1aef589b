/**
 * A scheduler under test: the memory store, a manual clock, and a fake executor that only records what it is
 * handed; the test plays the worker by claiming and finishing tries through the store, as `runAttempt` would.
 */
import { checkDag } from '../../src/orchestration/dag.ts';
import { MemoryOrchestrationStore } from '../../src/orchestration/memory-orchestration-store.ts';
import type { DagSpec, JsonObject, OrchestrationStore, TaskAttempt, TaskExecutor } from '../../src/orchestration/ports.ts';
import { Scheduler } from '../../src/orchestration/scheduler.ts';
import type { LandingSource, RunAlert } from '../../src/orchestration/scheduler-types.ts';
import { Rng } from '../../src/shared/index.ts';
import { silentLogger } from '../../src/shared/io.ts';

export class FakeExecutor implements TaskExecutor {
  readonly kind = 'local' as const;
  readonly submits: TaskAttempt[] = [];
  /** Submits that throw before one is recorded (a queue that is down). */
  failNext = 0;
  async submit(attempt: TaskAttempt): Promise<void> {
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('queue unavailable');
    }
    this.submits.push(attempt);
  }
  async close(): Promise<void> {}
  /** `taskId#try` of every submit so far, in order. */
  ids(): string[] {
    return this.submits.map((a) => `${a.taskId}#${a.try}`);
  }
}

/** A DAG from raw config, checked with a catalog that knows every job and the three default pools. */
export function dag(raw: Record<string, unknown>): DagSpec {
  return checkDag(raw, { pools: ['default', 'cpu', 'io'], jobParamsError: () => undefined, path: `test ${String(raw['id'])}` });
}

export interface Harness {
  readonly store: OrchestrationStore;
  readonly executor: FakeExecutor;
  readonly scheduler: Scheduler;
  readonly alerts: RunAlert[];
  now(): Date;
  /** Moves the clock forward by `seconds`. */
  advance(seconds: number): void;
  setNow(at: Date): void;
  /** Plays a worker: claims a submitted try and finishes it (success with `result`, or failed). */
  finish(attempt: TaskAttempt, outcome?: { error: string; retryable: boolean } | JsonObject): Promise<void>;
  /** The newest submit of `taskId` (of `runId` when given). */
  submitted(taskId: string, runId?: string): TaskAttempt;
  /** A second scheduler over the same executor and the same store (or `store`: another connection to it), with other DAGs when given. */
  second(dags?: readonly DagSpec[], store?: OrchestrationStore): Scheduler;
}

export function harness(o: {
  dags: readonly DagSpec[];
  start?: Date;
  landing?: LandingSource;
  requeueSeconds?: number;
  /** Default: a new MemoryOrchestrationStore. */
  store?: OrchestrationStore;
}): Harness {
  let now = o.start ?? new Date('2026-03-02T10:00:00Z');
  const store = o.store ?? new MemoryOrchestrationStore();
  const executor = new FakeExecutor();
  const alerts: RunAlert[] = [];
  const make = (dags: readonly DagSpec[] = o.dags, other: OrchestrationStore = store) =>
    new Scheduler({
      dags,
      store: other,
      executor,
      clock: () => now,
      rng: new Rng(7),
      logger: silentLogger(),
      notifier: { notify: async (a) => void alerts.push(a) },
      ...(o.landing ? { landing: o.landing } : {}),
      ...(o.requeueSeconds !== undefined ? { requeueSeconds: o.requeueSeconds } : {}),
    });
  const scheduler = make();
  return {
    store,
    executor,
    scheduler,
    alerts,
    now: () => now,
    advance: (seconds) => void (now = new Date(now.getTime() + seconds * 1000)),
    setNow: (at) => void (now = at),
    async finish(attempt, outcome = {}) {
      const key = { runId: attempt.runId, taskId: attempt.taskId, try: attempt.try, worker: 'test-worker' };
      if (!(await store.claimTask({ ...key, at: now, leaseUntil: new Date(now.getTime() + 30_000) }))) {
        throw new Error(`could not claim ${attempt.taskId}#${attempt.try}`);
      }
      const end =
        'error' in outcome && typeof outcome['error'] === 'string'
          ? { state: 'failed' as const, error: outcome['error'], retryable: outcome['retryable'] === true }
          : { state: 'success' as const, result: outcome as JsonObject };
      if (!(await store.finishTask({ ...key, at: now, outcome: end }))) throw new Error(`could not finish ${attempt.taskId}#${attempt.try}`);
    },
    submitted(taskId, runId) {
      const found = executor.submits.filter((a) => a.taskId === taskId && (runId === undefined || a.runId === runId)).at(-1);
      if (found === undefined) throw new Error(`${taskId} was not submitted (submits: ${executor.ids().join(', ')})`);
      return found;
    },
    second: make,
  };
}
