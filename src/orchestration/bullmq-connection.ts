/**
 * What the BullMQ producer (executor) and consumer (worker) agree on: how a `redis://` URL becomes ioredis options,
 * how queues and jobs are named. Queue per pool `<prefix>-<pool>`, the scheduler tick on `<prefix>-tick`, job ids
 * `<runId>.<taskId>.<try>`: BullMQ refuses `:` in queue names and in custom job ids, and integer-looking job ids.
 */
import type { RedisOptions } from 'bullmq';
import { ConfigError, redactUrl } from '../shared/index.ts';
import type { TaskAttempt } from './ports.ts';

/** Queue and prefix names: what BullMQ accepts in a queue name and what reads well in `redis-cli KEYS`. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/** Name of the queue of the scheduler tick (a pool may not be called `tick`). */
export const TICK_QUEUE_SUFFIX = 'tick';

/**
 * ioredis options for `redis://[user[:password]@]host[:port][/db]` or `rediss://…` (TLS). `maxRetriesPerRequest`
 * is null, as BullMQ requires (a blocked worker must wait for Redis to come back, not fail its commands).
 */
export function redisOptionsFromUrl(url: string): RedisOptions {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (error) {
    throw new ConfigError(`orchestration.executor.url is not a URL: ${redactUrl(url)} (expected redis://[:password@]host:port[/db])`, { cause: error });
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new ConfigError(`orchestration.executor.url ${redactUrl(url)} is not a Redis URL: use redis://host:port[/db] or rediss:// (TLS)`);
  }
  if (parsed.hostname === '') throw new ConfigError(`orchestration.executor.url ${redactUrl(url)} names no host`);
  const dbText = parsed.pathname.replace(/^\//, '');
  if (dbText !== '' && !/^\d{1,2}$/.test(dbText)) {
    throw new ConfigError(`orchestration.executor.url ${redactUrl(url)}: the path must be a database number (0–15), not /${dbText}`);
  }
  // IPv6 literals come bracketed from URL; ioredis wants the bare address.
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const options: RedisOptions = {
    host,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: dbText === '' ? 0 : Number(dbText),
    maxRetriesPerRequest: null,
  };
  if (parsed.username !== '') options.username = decodeURIComponent(parsed.username);
  if (parsed.password !== '') options.password = decodeURIComponent(parsed.password);
  if (parsed.protocol === 'rediss:') options.tls = { servername: host };
  return options;
}

/** Checks a queue prefix or pool name; throws a ConfigError naming the option when BullMQ would refuse it. */
export function checkQueueName(kind: 'prefix' | 'pool', name: string): void {
  if (!NAME.test(name)) {
    throw new ConfigError(`orchestration ${kind} ${JSON.stringify(name)} cannot name a BullMQ queue: use letters, digits, '_', '-', '.' (no ':'), at most 64`);
  }
  if (kind === 'pool' && name === TICK_QUEUE_SUFFIX)
    throw new ConfigError(`orchestration pool may not be called "${TICK_QUEUE_SUFFIX}": that queue drives the scheduler`);
}

/** `<prefix>-<pool>`: the queue of one pool. */
export function poolQueueName(prefix: string, pool: string): string {
  return `${prefix}-${pool}`;
}

/** `<prefix>-tick`: the queue whose job scheduler drives the orchestration scheduler's tick. */
export function tickQueueName(prefix: string): string {
  return `${prefix}-${TICK_QUEUE_SUFFIX}`;
}

/** `<runId>.<taskId>.<try>`: one BullMQ job per try, so a second submit of the same try adds nothing. */
export function bullmqJobId(attempt: Pick<TaskAttempt, 'runId' | 'taskId' | 'try'>): string {
  const id = `${attempt.runId}.${attempt.taskId}.${attempt.try}`;
  if (id.includes(':')) throw new ConfigError(`task try ${JSON.stringify(id)} cannot be a BullMQ job id: run and task ids may not contain ':'`);
  return id;
}
