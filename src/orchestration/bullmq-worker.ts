import { stageLogger } from '../shared/io.ts';
/**
 * The consumer side of the distributed executor, one per `pickwise worker` process: a BullMQ Worker per pool it
 * serves, each job one try of one task run through `runAttempt` (claim, heartbeats, logs, end in the store), which
 * runs CPU-heavy jobs in a child process of their own (killed for real at their timeout) while this process keeps
 * heartbeating and renewing BullMQ's lock. Short lock and stall settings, so a job held by a worker that died is
 * handed to another within seconds. Optionally the scheduler's tick: a BullMQ job scheduler on
 * `<prefix>-tick` fires every tickSeconds, and whichever worker takes the job calls `onTick` (one at a time, across
 * all workers), so there is no single scheduler process to lose.
 */
import { Queue, Worker, type Job } from 'bullmq';
import type { JobCatalogRef, JobDeps } from '../pipeline/index.ts';
import { ConfigError, redactUrl } from '../shared/index.ts';
import { checkQueueName, poolQueueName, redisOptionsFromUrl, tickQueueName } from './bullmq-connection.ts';
import type { OrchestrationStore, TaskAttempt } from './ports.ts';
import { runAttempt } from './run-attempt.ts';
import { createWorkerId } from './worker-id.ts';

export interface BullmqWorkerOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…`. */
  readonly url: string;
  readonly prefix: string;
  /** Pools this process serves: names, or names → global limits (then set on the queues, as the executor does). */
  readonly pools: readonly string[] | Readonly<Record<string, number>>;
  readonly store: OrchestrationStore;
  /** What jobs get as `ctx.deps`; its config and logger also go to CPU-heavy jobs' child processes. */
  readonly deps: JobDeps;
  /** The job catalog, by module URL (child processes import the same one); default: the built-in jobs. */
  readonly catalog?: JobCatalogRef;
  readonly leaseSeconds: number;
  /** Between SIGTERM and SIGKILL of a CPU-heavy job's child process that must stop (runAttempt's default: 5 000). */
  readonly killGraceMs?: number;
  /** Tries of one pool this process runs at once (default 1); the pool's global limit still caps the total. */
  readonly concurrency?: number;
  /** The scheduler's tick; absent: this worker does not drive scheduling. */
  readonly onTick?: (tick: { readonly firedAt: Date }) => Promise<unknown>;
  /** Seconds between ticks (default 5). */
  readonly tickSeconds?: number;
  /** `<hostname>:<pid>:<random 6>` by default (createWorkerId). */
  readonly workerId?: string;
  /** How long BullMQ's lock on a job lasts without renewal (default 5 000 ms); a dead worker's job is free after it. */
  readonly lockMs?: number;
  /** How often workers look for jobs whose lock lapsed (default lockMs / 2). */
  readonly stalledIntervalMs?: number;
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

export async function startBullmqWorker(o: BullmqWorkerOptions): Promise<BullmqWorker> {
  const connection = redisOptionsFromUrl(o.url);
  checkQueueName('prefix', o.prefix);
  const limits: Readonly<Record<string, number | undefined>> = Array.isArray(o.pools)
    ? Object.fromEntries((o.pools as readonly string[]).map((p) => [p, undefined]))
    : (o.pools as Readonly<Record<string, number>>);
  const pools = Object.keys(limits);
  if (pools.length === 0 && !o.onTick) throw new ConfigError('a worker needs at least one pool to serve (or the scheduler tick)');
  for (const pool of pools) checkQueueName('pool', pool);
  const workerId = o.workerId ?? createWorkerId();
  const lockDuration = o.lockMs ?? DEFAULT_LOCK_MS;
  const stalledInterval = o.stalledIntervalMs ?? Math.max(500, Math.floor(lockDuration / 2));
  const tickMs = Math.round((o.tickSeconds ?? 5) * 1000);
  const log = stageLogger(o.deps.logger, 'orchestration', { worker: workerId });
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

  // The job's BullMQ outcome is only what became of the try here; the try's end itself is in the store.
  const processTry = async (job: Job<TaskAttempt>, _token?: string, signal?: AbortSignal): Promise<{ outcome: string }> => {
    const outcome = await runAttempt({
      attempt: job.data,
      store: o.store,
      deps: o.deps,
      ...(o.catalog ? { catalog: o.catalog } : {}),
      worker: workerId,
      leaseSeconds: o.leaseSeconds,
      signal: signal ? AbortSignal.any([signal, stopping.signal]) : stopping.signal,
      ...(o.killGraceMs !== undefined ? { killGraceMs: o.killGraceMs } : {}),
    });
    return { outcome: outcome.state };
  };

  const poolWorkers: Worker[] = pools.map(
    (pool) => new Worker(poolQueueName(o.prefix, pool), processTry, { ...common, concurrency: Math.max(1, o.concurrency ?? 1) }),
  );

  const workers = [...poolWorkers];
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
    worker.on('error', (error) => log.warn({ err: error, redis: redactUrl(o.url), queue: worker.name }, 'BullMQ worker error'));
    worker.on('failed', (job, error) => log.warn({ err: error, queue: worker.name, jobId: job?.id }, 'BullMQ job failed'));
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
          await tickQueue?.close();
        }
      })();
      return stopped;
    },
  };
}
