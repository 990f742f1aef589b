import type { Generated } from 'kysely';
import type { CalendarDay, LandingKind, ReservationStatus } from '../shared/index.ts';

export type { LandingKind, ReservationStatus };

/**
 * TypeScript view of the warehouse tables (camelCase; SQL is snake_case through CamelCasePlugin).
 * Timestamps are UTC strings `YYYY-MM-DD HH:MM:SS.sss` on every backend, so that SQL stays readable
 * and comparisons work the same in SQLite (text) and MariaDB (DATETIME(3)).
 */
export interface WarehouseDb {
  dimRegion: DimRegionTable;
  dimCategory: DimCategoryTable;
  dimDate: DimDateTable;
  dimUser: DimUserTable;
  dimService: DimServiceTable;
  factReservation: FactReservationTable;
  ingestFile: IngestFileTable;
  ingestPendingRow: IngestPendingRowTable;
  featSnapshot: FeatSnapshotTable;
  featUser: FeatUserTable;
  featService: FeatServiceTable;
  tuneStudy: TuneStudyTable;
  tuneTrial: TuneTrialTable;
  tuneTrialStep: TuneTrialStepTable;
  trackExperiment: TrackExperimentTable;
  trackRun: TrackRunTable;
  trackMetric: TrackMetricTable;
  trackArtifact: TrackArtifactTable;
  registryVersion: RegistryVersionTable;
  registryAlias: RegistryAliasTable;
  registryEvent: RegistryEventTable;
  recList: RecListTable;
  recImpression: RecImpressionTable;
  factFeedback: FactFeedbackTable;
  aggFeedbackHour: AggFeedbackHourTable;
  aggServedHour: AggServedHourTable;
  aggShownServiceDay: AggShownServiceDayTable;
  orchDagState: OrchDagStateTable;
  orchDagRun: OrchDagRunTable;
  orchTaskInstance: OrchTaskInstanceTable;
  orchTaskTry: OrchTaskTryTable;
  orchTaskLog: OrchTaskLogTable;
}

export interface DimRegionTable {
  regionKey: Generated<number>;
  regionName: string;
}

export interface DimCategoryTable {
  categoryKey: Generated<number>;
  categoryName: string;
}

export interface DimDateTable extends CalendarDay {
  /** yyyymmdd */
  dateKey: number;
}

export interface DimUserTable {
  userKey: Generated<number>;
  userId: string;
  signupAt: string;
  gender: string | null;
  birthYear: number | null;
  regionKey: number | null;
  sourceFileId: number;
  updatedAt: string;
}

export interface DimServiceTable {
  serviceKey: Generated<number>;
  serviceId: string;
  name: string;
  categoryKey: number;
  regionKey: number | null;
  price: number;
  createdAt: string;
  sourceFileId: number;
  updatedAt: string;
}

export interface FactReservationTable {
  reservationKey: Generated<number>;
  reservationId: string;
  userKey: number;
  serviceKey: number;
  dateKey: number;
  status: ReservationStatus;
  reservedAt: string;
  rating: number | null;
  sourceFileId: number;
  updatedAt: string;
}

export type IngestFileStatus = 'loading' | 'loaded' | 'rejected' | 'duplicate' | 'failed';

export interface IngestFileTable {
  fileId: Generated<number>;
  objectKey: string;
  sha256: string;
  sizeBytes: number;
  /** The store's version tag when the file was seen: lets a later run skip re-hashing an unchanged file. */
  sourceEtag: string | null;
  kind: LandingKind | 'unknown';
  status: IngestFileStatus;
  rowsTotal: number;
  rowsOk: number;
  /** Rows of a feedback file whose event was stored already (0 for other kinds): `rowsTotal = rowsOk + rowsDuplicate + rowsRejected`. */
  rowsDuplicate: Generated<number>;
  rowsRejected: number;
  /** JSON object: reject code → count. */
  rejectsByCode: string;
  backupKey: string | null;
  quarantineKey: string | null;
  duplicateOfFileId: number | null;
  message: string | null;
  detectedAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface IngestPendingRowTable {
  pendingKey: Generated<number>;
  fileId: number;
  lineNo: number;
  code: string;
  reason: string;
  reservationId: string;
  userId: string;
  serviceId: string;
  status: string;
  reservedAt: string;
  rating: string;
  createdAt: string;
}

/** One feature build (see migration 0002-feature-tables for the meaning of every column). */
export interface FeatSnapshotTable {
  snapshotId: Generated<number>;
  /** Newest `reserved_at` the snapshot covers; null when the warehouse held no reservations. */
  asOf: string | null;
  builtAt: string;
  users: number;
  services: number;
  /** Newest `updated_at` of any fact or dimension row the snapshot saw: the next incremental build starts after it. */
  sourceUpdatedAt: string | null;
  buildMode: Generated<'full' | 'incremental'>;
  /** Rows this build computed; the others were carried over from the previous snapshot. */
  recomputedUsers: Generated<number>;
  recomputedServices: Generated<number>;
}

export interface FeatUserTable {
  snapshotId: number;
  userKey: number;
  reservations: number;
  completed: number;
  canceled: number;
  cancelRate: number;
  lastReservedAt: string | null;
  regionKey: number | null;
  /** Decade of age in the as-of year, e.g. `20-29`. */
  ageBand: string | null;
  /** Comma-separated category keys, most completed first (at most 3); `''` when none. */
  favouriteCategoryKeys: string;
}

export type PriceBand = 'low' | 'mid' | 'high';

/**
 * Window columns are `reservations_last7d`/`_last30d` rather than `reservations_7d`: CamelCasePlugin puts no
 * underscore before a digit, so `reservations_7d` would not survive the camelCase ↔ snake_case round trip.
 */
export interface FeatServiceTable {
  snapshotId: number;
  serviceKey: number;
  reservationsLast7d: number;
  reservationsLast30d: number;
  reservationsAll: number;
  completed: number;
  canceled: number;
  completionRate: number;
  cancelRate: number;
  ratingMean: number | null;
  ratingCount: number;
  categoryKey: number;
  regionKey: number | null;
  priceBand: PriceBand;
}

export interface TuneStudyTable {
  studyId: Generated<number>;
  name: string;
  direction: 'minimize' | 'maximize';
  sampler: string;
  pruner: string;
  seed: number;
  createdAt: string;
}

export interface TuneTrialTable {
  studyId: number;
  trialNumber: number;
  state: 'running' | 'complete' | 'pruned' | 'failed';
  paramsJson: string;
  value: number | null;
  startedAt: string;
  finishedAt: string | null;
  heartbeatAt: string | null;
}

export interface TuneTrialStepTable {
  studyId: number;
  trialNumber: number;
  step: number;
  value: number;
}

export interface TrackExperimentTable {
  experimentId: Generated<number>;
  name: string;
  createdAt: string;
}

export interface TrackRunTable {
  runId: string;
  experimentId: number;
  runType: 'train' | 'evaluate' | 'tune-trial';
  modelKind: string;
  status: 'running' | 'finished' | 'failed';
  paramsJson: string;
  codeVersion: string;
  dataFiles: number;
  dataFingerprint: string;
  dataInteractions: number;
  dataNewestEvent: string | null;
  /** JSON `{ used, unknown, newestId }` of the feedback events the run learned from; null when it read none. */
  dataFeedback: string | null;
  startedAt: string;
  finishedAt: string | null;
  seconds: number | null;
  artifactPrefix: string | null;
}

export interface TrackMetricTable {
  runId: string;
  name: string;
  step: number;
  value: number;
}

export interface TrackArtifactTable {
  runId: string;
  objectKey: string;
  sizeBytes: number;
  sha256: string;
}

export interface RegistryVersionTable {
  modelName: string;
  version: number;
  runId: string;
  status: 'active' | 'archived';
  createdAt: string;
}

export interface RegistryAliasTable {
  modelName: string;
  alias: string;
  version: number;
  updatedAt: string;
}

export interface RegistryEventTable {
  eventId: Generated<number>;
  modelName: string;
  action: 'register' | 'promote' | 'rollback' | 'archive';
  version: number | null;
  alias: string | null;
  previousVersion: number | null;
  actor: string;
  reason: string;
  at: string;
}

/** Which route served a list. */
export type RecListSource = 'user' | 'fold-in' | 'batch';

export interface RecListTable {
  recommendationId: string;
  source: RecListSource;
  batchId: string | null;
  userId: string | null;
  modelName: string | null;
  registryVersion: number | null;
  modelKind: string;
  artifactVersion: string;
  basis: string;
  filterCategory: string | null;
  filterRegion: string | null;
  k: number;
  itemCount: number;
  createdAt: string;
  /** The services shown, rank 1 first: JSON `[[service_id, score], …]` (shown-items.ts). */
  items: string;
}

/** A view over rec_list.items: one row per service shown. */
export interface RecImpressionTable {
  recommendationId: string;
  /** 1-based. */
  rank: number;
  serviceId: string;
  score: number;
}

export interface FactFeedbackTable {
  feedbackId: Generated<number>;
  eventId: string;
  recommendationId: string | null;
  userId: string;
  serviceId: string;
  userKey: number | null;
  serviceKey: number | null;
  dateKey: number;
  /** impression, select, cancel, reserve or complete (src/feedback/feedback-event.ts). */
  type: string;
  at: string;
  receivedAt: string;
  /** list, window or none. */
  attribution: string;
  modelName: string | null;
  modelVersion: number | null;
  basis: string | null;
  rank: number | null;
  /** Comma-separated codes; '' when none. */
  flags: string;
  undoesFeedbackId: number | null;
}

/** Feedback events by UTC hour (yyyymmddhh), model, version, basis and type ('' and 0: none); kept by FeedbackRepo. */
export interface AggFeedbackHourTable {
  hourKey: number;
  modelName: string;
  modelVersion: number;
  basis: string;
  type: string;
  events: number;
  /** Of `events`, those attributed to no list. */
  unattributed: number;
}

/** Lists served and items shown by UTC hour, model, registry version and basis ('' and 0: none). */
export interface AggServedHourTable {
  hourKey: number;
  modelName: string;
  registryVersion: number;
  basis: string;
  lists: number;
  items: number;
}

/** The services each model version showed on a UTC day (yyyymmdd): catalogue coverage. */
export interface AggShownServiceDayTable {
  dayKey: number;
  modelName: string;
  registryVersion: number;
  serviceId: string;
}

/** A DAG's pause flag (0/1) and cron cursor (the latest fire time given a run). */
export interface OrchDagStateTable {
  dagId: string;
  paused: number;
  changedAt: string | null;
  cronCursor: string | null;
}

/** One run of a DAG; `runKey` is unique per DAG. */
export interface OrchDagRunTable {
  runId: string;
  dagId: string;
  runKey: string;
  triggerKind: string;
  logicalTime: string;
  state: string;
  confJson: string;
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  deadlineAt: string | null;
  deadlineAlertedAt: string | null;
  error: string | null;
}

/** One task of a run, with its current try. */
export interface OrchTaskInstanceTable {
  runId: string;
  taskId: string;
  job: string;
  pool: string;
  paramsJson: string;
  tryNumber: number;
  maxTries: number;
  state: string;
  worker: string | null;
  leaseUntil: string | null;
  heartbeatAt: string | null;
  nextTryAt: string | null;
  queuedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  error: string | null;
  resultJson: string | null;
}

/** One try of a task; `retryable` 0/1 once failed. */
export interface OrchTaskTryTable {
  runId: string;
  taskId: string;
  tryNumber: number;
  worker: string;
  state: string;
  startedAt: string;
  endedAt: string | null;
  error: string | null;
  retryable: number | null;
}

/** One log line of a try, `seq` counted from 1 per try. */
export interface OrchTaskLogTable {
  runId: string;
  taskId: string;
  tryNumber: number;
  seq: number;
  at: string;
  level: string;
  message: string;
}
