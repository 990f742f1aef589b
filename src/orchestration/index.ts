/** Orchestration: DAGs of pipeline jobs run on schedules and file arrivals, with history, retries and backfills. */
export type * from './ports.ts';
export { MemoryOrchestrationStore } from './memory-orchestration-store.ts';
export { WarehouseOrchestrationStore } from './warehouse-orchestration-store.ts';
export { checkDag, downstreamOf, topologicalOrder, type DagCheckOptions, type JobParamsCheck } from './dag.ts';
export { cronProblem, fireTimes, latestFireTime, localDate, nextFireTime, startOfLocalDate, timeZoneProblem } from './cron-schedule.ts';
export { backfillRunKey, cronRunKey, fileRunKey, manualRunKey, triggerOfRunKey } from './run-key.ts';
export { retryDelaySeconds } from './retry-delay.ts';
export { Scheduler } from './scheduler.ts';
export { MAX_BACKFILL_DAYS } from './scheduler-runs.ts';
export type { BackfillDay, LandingFile, LandingSource, RunAlert, RunAlertNotifier, SchedulerOptions, TickReport, TriggerResult } from './scheduler-types.ts';
export { LandingSensor, warehouseLandingLedger, type LandingLedger } from './landing-sensor.ts';
export { BUILTIN_DAG_IDS, buildDags, builtinDagSpecs } from './builtin-dags.ts';
