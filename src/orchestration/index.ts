/** Orchestration: DAGs of pipeline jobs run on schedules and file arrivals, with history, retries and backfills. */
export type * from './ports.ts';
export { MemoryOrchestrationStore } from './memory-orchestration-store.ts';
