import type { JobCatalogRef, JobDeps } from '../pipeline/index.ts';
import { BackendUnavailableError, systemClock, type Clock } from '../shared/index.ts';
import type { TaskAttempt, TaskExecutor } from './ports.ts';
import type { OrchestrationStore } from './ports.ts';
import { runAttempt } from './run-attempt.ts';
import { createWorkerId } from './worker-id.ts';

export interface LocalExecutorOptions {
  readonly store: OrchestrationStore;
  readonly deps: JobDeps;
  /** Default: the built-in catalog. */
  readonly catalog?: JobCatalogRef;
  /** Pool name → most tries running at once. A task naming a pool not listed here runs in `default`. */
  readonly pools: Readonly<Record<string, number>>;
  readonly leaseSeconds: number;
  readonly clock?: Clock;
  /** Default: a new worker id (`<hostname>:<pid>:<random>`). */
  readonly worker?: string;
  /** Between SIGTERM and SIGKILL of a child that must stop; default 5 000. */
  readonly killGraceMs?: number;
}

export interface LocalExecutor extends TaskExecutor {
  readonly kind: 'local';
  readonly worker: string;
  /** Resolves once nothing is queued or running here. */
  idle(): Promise<void>;
  /** Tries queued and running here, by pool. */
  load(): Readonly<Record<string, { readonly queued: number; readonly running: number }>>;
}

interface Pool {
  readonly limit: number;
  readonly queue: TaskAttempt[];
  running: number;
}

const DEFAULT_POOL = 'default';

/**
 * Runs tries in this process (CPU-heavy jobs in a child process each), at most `pools[pool]` at once per pool.
 * A try submitted twice runs once; `close` stops taking tries, lets running ones finish for `graceMs`, then stops
 * them (they are recorded as failed and retryable, so the scheduler gives them another try).
 */
export function createLocalExecutor(o: LocalExecutorOptions): LocalExecutor {
  const worker = o.worker ?? createWorkerId();
  const clock = o.clock ?? systemClock;
  const pools = new Map<string, Pool>();
  for (const [name, limit] of Object.entries(o.pools)) pools.set(name, { limit: Math.max(1, Math.floor(limit)), queue: [], running: 0 });
  if (!pools.has(DEFAULT_POOL)) pools.set(DEFAULT_POOL, { limit: 1, queue: [], running: 0 });
  const seen = new Set<string>();
  const running = new Set<Promise<void>>();
  const stop = new AbortController();
  let closed = false;
  let idleWaiters: (() => void)[] = [];
  const warnedPools = new Set<string>();

  const poolOf = (name: string): Pool => {
    const pool = pools.get(name);
    if (pool) return pool;
    if (!warnedPools.has(name)) {
      warnedPools.add(name);
      o.deps.logger.warn({ pool: name, pools: [...pools.keys()] }, `pool '${name}' is not configured: its tasks run in the '${DEFAULT_POOL}' pool`);
    }
    return pools.get(DEFAULT_POOL)!;
  };
  const isIdle = (): boolean => [...pools.values()].every((p) => p.queue.length === 0 && p.running === 0);
  const settle = (): void => {
    if (!isIdle()) return;
    const waiters = idleWaiters;
    idleWaiters = [];
    for (const w of waiters) w();
  };

  const pump = (pool: Pool): void => {
    while (!closed && pool.running < pool.limit && pool.queue.length > 0) {
      const attempt = pool.queue.shift()!;
      pool.running++;
      const done = runAttempt({
        attempt,
        store: o.store,
        deps: o.deps,
        ...(o.catalog ? { catalog: o.catalog } : {}),
        worker,
        leaseSeconds: o.leaseSeconds,
        clock,
        signal: stop.signal,
        ...(o.killGraceMs !== undefined ? { killGraceMs: o.killGraceMs } : {}),
      })
        .then(
          () => undefined,
          (error: unknown) =>
            o.deps.logger.error({ err: error, runId: attempt.runId, taskId: attempt.taskId, try: attempt.try }, 'task try could not be run or recorded'),
        )
        .finally(() => {
          pool.running--;
          running.delete(done);
          seen.delete(attemptKey(attempt));
          pump(pool);
          settle();
        });
      running.add(done);
    }
  };

  return {
    kind: 'local',
    worker,
    async submit(attempt) {
      if (closed) throw new BackendUnavailableError('the local executor is closed: it takes no new tries');
      const key = attemptKey(attempt);
      if (seen.has(key)) return;
      seen.add(key);
      const pool = poolOf(attempt.pool);
      pool.queue.push(attempt);
      pump(pool);
    },
    idle() {
      return isIdle() ? Promise.resolve() : new Promise((resolve) => idleWaiters.push(resolve));
    },
    load() {
      return Object.fromEntries([...pools].map(([name, p]) => [name, { queued: p.queue.length, running: p.running }]));
    },
    async close(graceMs = 10_000) {
      closed = true;
      // Tries not started stay queued in the run history: whoever schedules next hands them out again.
      for (const pool of pools.values()) pool.queue.length = 0;
      settle();
      if (running.size === 0) return;
      let timer: NodeJS.Timeout | undefined;
      const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
      await Promise.race([Promise.allSettled([...running]), grace]);
      clearTimeout(timer);
      stop.abort();
      await Promise.allSettled([...running]);
    },
  };
}

/** A try's identity: `<runId>.<taskId>.<try>` (as BullMQ job ids). */
export function attemptKey(a: Pick<TaskAttempt, 'runId' | 'taskId' | 'try'>): string {
  return `${a.runId}.${a.taskId}.${a.try}`;
}
