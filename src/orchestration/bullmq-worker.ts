/**
 * The consumer side of the distributed executor, one per `pickwise worker` process: a BullMQ Worker per pool it
 * serves, each job one try of one task run through `runAttempt` (claim, heartbeats, logs, end in the store);
 * CPU-heavy jobs in BullMQ sandboxed child processes. Short lock and stall settings, so a job held by a worker
 * that died is handed to another within seconds. Optionally the scheduler's tick: a BullMQ job scheduler on
 * `<prefix>-tick` fires every tickSeconds, and whichever worker takes the job calls `onTick` (one at a time, across
 * all workers), so there is no single scheduler process to lose.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { Queue, Worker, type Job } from 'bullmq';
import type { Logger } from '../shared/io.ts';
import { ConfigError, redactUrl } from '../shared/index.ts';
import { checkQueueName, poolQueueName, redisOptionsFromUrl, tickQueueName } from './bullmq-connection.ts';
import { runAttempt, type AttemptCatalog, type JobCatalogRef } from './bullmq-run-attempt.ts';
import { createSandboxRunner } from './bullmq-sandbox.ts';
import type { OrchestrationStore, TaskAttempt } from './ports.ts';

export interface BullmqWorkerOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…`. */
  readonly url: string;
  readonly prefix: string;
  /** Pools this process serves: names, or names → global limits (then set on the queues, as the executor does). */
  readonly pools: readonly string[] | Readonly<Record<string, number>>;
  readonly store: OrchestrationStore;
  /** What jobs get as `ctx.deps` when they run in this process. */
  readonly deps: unknown;
  /** The job catalog, by module URL, so sandboxed child processes import the same one. */
  readonly catalog: JobCatalogRef;
  /** A module export `() => Promise<deps>`: the dependencies of CPU-heavy jobs in their child processes. */
  readonly sandboxDeps?: JobCatalogRef;
  readonly leaseSeconds: number;
  /** Tries of one pool this process runs at once (default 1); the pool's global limit still caps the total. */
  readonly concurrency?: number;
  /** The scheduler's tick; absent: this worker does not drive scheduling. */
  readonly onTick?: (tick: { readonly firedAt: Date }) => Promise<unknown>;
  /** Seconds between ticks (default 5). */
  readonly tickSeconds?: number;
  /** `<hostname>:<pid>:<random 6>` by default. */
  readonly workerId?: string;
  /** How long BullMQ's lock on a job lasts without renewal (default 5 000 ms); a dead worker's job is free after it. */
  readonly lockMs?: number;
  /** How often workers look for jobs whose lock lapsed (default lockMs / 2). */
  readonly stalledIntervalMs?: number;
  readonly logger?: Logger;
}

export interface BullmqWorker {
  readonly workerId: string;
  /** Resolves once every BullMQ worker is connected and consuming. */
  ready(): Promise<void>;
  /** Stops taking jobs; running tries get `graceMs` (default 10 000) to finish, then are aborted. */
  stop(graceMs?: number): Promise<void>;
}

/** The id of the job scheduler on the tick queue. */
export const TICK_SCHEDULER_ID = 'scheduler-tick';

const DEFAULT_LOCK_MS = 5_000;

export function defaultWorkerId(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

export async function startBullmqWorker(o: BullmqWorkerOptions): Promise<BullmqWorker> {
  const connection = redisOptionsFromUrl(o.url);
  checkQueueName('prefix', o.prefix);
  const limits: Readonly<Record<string, number | undefined>> = Array.isArray(o.pools)
    ? Object.fromEntries((o.pools as readonly string[]).map((p) => [p, undefined]))
    : (o.pools as Readonly<Record<string, number>>);
  const pools = Object.keys(limits);
  if (pools.length === 0 && !o.onTick) throw new ConfigError('a worker needs at least one pool to serve (or the scheduler tick)');
  for (const pool of pools) checkQueueName('pool', pool);
  const workerId = o.workerId ?? defaultWorkerId();
  const lockDuration = o.lockMs ?? DEFAULT_LOCK_MS;
  const stalledInterval = o.stalledIntervalMs ?? Math.max(500, Math.floor(lockDuration / 2));
  const tickMs = Math.round((o.tickSeconds ?? 5) * 1000);
  const log = o.logger?.child({ stage: 'orchestration', worker: workerId });
  const catalog = await loadCatalog(o.catalog);
  const sandbox = createSandboxRunner({ catalog: o.catalog, ...(o.sandboxDeps ? { deps: o.sandboxDeps } : {}) });
  const stopping = new AbortController();
  const common = { connection, lockDuration, stalledInterval, maxStalledCount: 5, name: workerId };

  // The configured limits are (re)stated by every worker and producer: setting the same value again is harmless.
  await Promise.all(
    Object.entries(limits).map(async ([pool, limit]) => {
      if (limit === undefined) return;
      const queue = new Queue(poolQueueName(o.prefix, pool), { connection });
      try {
        await queue.setGlobalConcurrency(limit);
      } finally {
        await queue.close();
      }
    }),
  );

  const processTry = async (job: Job<TaskAttempt>, _token?: string, signal?: AbortSignal): Promise<{ outcome: string }> => {
    const attempt = job.data;
    const outcome = await runAttempt({
      attempt,
      store: o.store,
      catalog,
      deps: o.deps,
      worker: workerId,
      leaseSeconds: o.leaseSeconds,
      signal: signal ? AbortSignal.any([signal, stopping.signal]) : stopping.signal,
      runJob: sandbox.runJob,
    });
    log?.info({ runId: attempt.runId, taskId: attempt.taskId, try: attempt.try, job: attempt.job, outcome }, 'task try ended');
    return { outcome };
  };

  const workers: Worker[] = pools.map(
    (pool) => new Worker(poolQueueName(o.prefix, pool), processTry, { ...common, concurrency: Math.max(1, o.concurrency ?? 1) }),
  );

  let tickQueue: Queue | undefined;
  if (o.onTick) {
    const onTick = o.onTick;
    tickQueue = new Queue(tickQueueName(o.prefix), { connection });
    await tickQueue.setGlobalConcurrency(1);
    // Upserting restarts the schedule with an immediate job: only when it is missing or its interval changed, so
    // a worker joining does not add a tick.
    if ((await tickQueue.getJobScheduler(TICK_SCHEDULER_ID))?.every !== tickMs) {
      await tickQueue.upsertJobScheduler(
        TICK_SCHEDULER_ID,
        { every: tickMs },
        { name: 'tick', opts: { attempts: 1, removeOnComplete: { count: 100 }, removeOnFail: { count: 100 } } },
      );
    }
    workers.push(
      new Worker(
        tickQueue.name,
        async (job: Job) => {
          // A job scheduler's job carries its scheduled time as prevMillis (and in its id, repeat:<id>:<millis>).
          await onTick({ firedAt: new Date(job.opts.prevMillis ?? job.timestamp) });
        },
        { ...common, concurrency: 1 },
      ),
    );
  }
  for (const worker of workers) {
    worker.on('error', (error) => log?.warn({ err: error, redis: redactUrl(o.url), queue: worker.name }, 'BullMQ worker error'));
    worker.on('failed', (job, error) => log?.warn({ err: error, queue: worker.name, jobId: job?.id }, 'BullMQ job failed'));
  }

  let stopped: Promise<void> | undefined;
  return {
    workerId,
    async ready() {
      await Promise.all(workers.map((w) => w.waitUntilReady()));
    },
    stop(graceMs = 10_000) {
      stopped ??= (async () => {
        const abortLater = setTimeout(() => stopping.abort(new Error('the worker is stopping')), graceMs);
        try {
          await Promise.all(workers.map((w) => w.close()));
        } finally {
          clearTimeout(abortLater);
          await sandbox.close();
          await tickQueue?.close();
        }
      })();
      return stopped;
    },
  };
}

async function loadCatalog(ref: JobCatalogRef): Promise<AttemptCatalog> {
  const module = (await import(ref.module)) as Record<string, unknown>;
  const catalog = module[ref.exportName];
  if (typeof catalog !== 'object' || catalog === null) throw new ConfigError(`job catalog ${ref.module} has no export ${ref.exportName}`);
  return catalog as AttemptCatalog;
}
