/** Orchestration: DAGs of pipeline jobs run on schedules and file arrivals, with history, retries and backfills. */
export type * from './ports.ts';
export { MemoryOrchestrationStore } from './memory-orchestration-store.ts';
export { createBullmqExecutor, type BullmqExecutor, type BullmqExecutorOptions } from './bullmq-executor.ts';
export { startBullmqWorker, TICK_SCHEDULER_ID, type BullmqWorker, type BullmqWorkerOptions } from './bullmq-worker.ts';
export { bullmqJobId, poolQueueName, redisOptionsFromUrl, tickQueueName } from './bullmq-connection.ts';
