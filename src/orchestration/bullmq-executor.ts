/**
 * The producer side of the distributed executor: each try of a task becomes one BullMQ job on its pool's queue
 * (`<prefix>-<pool>`), with the job id `<runId>.<taskId>.<try>` so that submitting the same try twice adds nothing.
 * Whoever picks the job up (`startBullmqWorker`, on any machine) runs the try and reports its end through the
 * store; BullMQ's own retries stay off (one attempt per job): pickwise's scheduler owns retries and backoff.
 */
import { Queue } from 'bullmq';
import { BackendUnavailableError, ConfigError, redactUrl } from '../shared/index.ts';
import { bullmqJobId, checkQueueName, poolQueueName, redisOptionsFromUrl } from './bullmq-connection.ts';
import type { TaskAttempt, TaskExecutor } from './ports.ts';

export interface BullmqExecutorOptions {
  /** `redis://[:password@]host:port[/db]` or `rediss://…`. */
  readonly url: string;
  /** Queue name prefix shared by producers and workers of one installation (e.g. `pickwise`). */
  readonly prefix: string;
  /** Pool → most tries running at once across all workers (set as each queue's global concurrency). */
  readonly pools: Readonly<Record<string, number>>;
}

/** How long finished jobs stay in Redis (for `redis-cli` inspection and for a duplicate submit to find them). */
export const KEEP_COMPLETED = { age: 24 * 3600, count: 10_000 } as const;
export const KEEP_FAILED = { age: 7 * 24 * 3600, count: 10_000 } as const;

/** The TaskExecutor over BullMQ. Queues open lazily; `close()` closes them (tries already queued stay in Redis). */
export interface BullmqExecutor extends TaskExecutor {
  readonly kind: 'bullmq';
  /** The queue of a pool (opened on first use); for tests and operators' tools. */
  queue(pool: string): Queue;
}

export function createBullmqExecutor(options: BullmqExecutorOptions): BullmqExecutor {
  const connection = redisOptionsFromUrl(options.url);
  checkQueueName('prefix', options.prefix);
  for (const [pool, limit] of Object.entries(options.pools)) {
    checkQueueName('pool', pool);
    if (!Number.isInteger(limit) || limit < 1) throw new ConfigError(`orchestration.pools.${pool} must be a whole number ≥ 1, got ${limit}`);
  }
  const queues = new Map<string, Queue>();
  let closed = false;

  const open = (pool: string): Queue => {
    let entry = queues.get(pool);
    if (!entry) {
      const limit = options.pools[pool];
      if (limit === undefined) {
        throw new ConfigError(
          `task pool ${JSON.stringify(pool)} is not configured (orchestration.pools has ${Object.keys(options.pools).join(', ') || 'none'})`,
        );
      }
      const queue = new Queue(poolQueueName(options.prefix, pool), {
        connection,
        defaultJobOptions: { attempts: 1, removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED },
      });
      // Connection errors surface on the failing call; without a listener they would also crash the process.
      queue.on('error', () => undefined);
      entry = queue;
      queues.set(pool, entry);
    }
    return entry;
  };
  // Setting the same limit again is harmless, so every producer (re)states the configured one; until it is set
  // (Redis down at first), each submit tries again.
  const limitSet = new Set<string>();
  const setLimit = async (pool: string, queue: Queue): Promise<void> => {
    if (limitSet.has(pool)) return;
    await queue.setGlobalConcurrency(options.pools[pool]!);
    limitSet.add(pool);
  };

  return {
    kind: 'bullmq',
    queue: (pool) => open(pool),
    async submit(attempt: TaskAttempt) {
      if (closed) throw new BackendUnavailableError('the BullMQ executor is closed');
      const jobId = bullmqJobId(attempt);
      const queue = open(attempt.pool);
      try {
        await setLimit(attempt.pool, queue);
        // A job of this try that already ended without the try ending (its worker could not reach the store) is
        // replaced: the scheduler hands over a try again only while it is still queued. Ended tries are safe to
        // hand over again, since a worker claims only a queued try.
        const previous = await queue.getJob(jobId);
        if (previous && ((await previous.isCompleted()) || (await previous.isFailed()))) await previous.remove();
        // An existing waiting or active job (the same try submitted again) is kept: BullMQ adds nothing.
        await queue.add(attempt.job, attempt, { jobId });
      } catch (error) {
        throw new BackendUnavailableError(`could not queue task try ${jobId} on Redis ${redactUrl(options.url)}: ${(error as Error).message}`, {
          cause: error,
        });
      }
    },
    async close() {
      closed = true;
      await Promise.all([...queues.values()].map((queue) => queue.close()));
      queues.clear();
    },
  };
}
