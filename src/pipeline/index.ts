/** The pipeline: the only place that knows the order of stages. */
export {
  runIngestJob,
  summarise,
  type IngestSummary,
  type FileOutcome,
  type FileOutcomeStatus,
  type IngestJobOptions,
  type IngestProgress,
} from './ingest-job.ts';
export { warehouseStatus, type WarehouseStatus } from './warehouse-status.ts';
export { runTrainJob, type TrainJobOptions, type TrainSummary } from './train-job.ts';
export { writeAllRecommendations, type BatchRecording } from './recommend-job.ts';
export { runTuneJob, type TuneJobOptions, type TuneSummary } from './tune-job.ts';
export { validationSplit } from './tune-trial.ts';
export { promoteVersion, type PromoteOptions, type PromoteResult } from './promote-job.ts';
export { actorName } from './train-job.ts';
export {
  JOBS,
  BUILTIN_JOB_CATALOG,
  JobParamsError,
  jobDefinition,
  jobParamsError,
  loadJobCatalog,
  parseJobParams,
  runJob,
  type RunJobOptions,
  type JobCatalog,
  type JobCatalogRef,
} from './jobs.ts';
export { defineJob, type JobContext, type JobDefinition, type JobDeps, type JobJson, type JobResult } from './job-definition.ts';
export { registeredCandidates } from './promote-if-better.ts';
export { recommendationsKey } from './recommend-all-job.ts';
export type { RegisteredResult } from './model-jobs.ts';
export { DEFAULT_AUTO_BUDGET_MS, runAutoTuneJob, searchFamilies, type AutoTuneJobOptions, type AutoTuneSummary, type FamilySearch } from './tune-auto-job.ts';
