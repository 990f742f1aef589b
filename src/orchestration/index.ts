/** Orchestration: DAGs of pipeline jobs run on schedules and file arrivals, with history, retries and backfills. */
export type * from './ports.ts';
export { MemoryOrchestrationStore } from './memory-orchestration-store.ts';
export { isRetryable } from './retryable.ts';
export { createWorkerId } from './worker-id.ts';
export { createTaskLog, type TaskLog, type TaskLogOptions } from './task-log.ts';
export { TaskLostError, TaskTimeoutError, WorkerStoppingError } from './attempt-errors.ts';
export { runAttempt, type AttemptOutcome, type RunAttemptOptions } from './run-attempt.ts';
export { attemptKey, createLocalExecutor, type LocalExecutor, type LocalExecutorOptions } from './local-executor.ts';
export { openJobDeps } from './task-child-deps.ts';
export { createBullmqExecutor, type BullmqExecutor, type BullmqExecutorOptions } from './bullmq-executor.ts';
export { startBullmqWorker, TICK_SCHEDULER_ID, type BullmqWorker, type BullmqWorkerOptions } from './bullmq-worker.ts';
export { bullmqJobId, poolQueueName, redisOptionsFromUrl, tickQueueName } from './bullmq-connection.ts';
