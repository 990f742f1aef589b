/** The warehouse: star schema, migrations and the one query layer (Kysely) over SQLite and MariaDB. */
export { openWarehouse, type Warehouse, type WarehouseConnection } from './open-warehouse.ts';
export { migrateToLatest, type MigrateReport } from './migrate.ts';
export { StarWriter } from './star-writer.ts';
export { LedgerRepo, SETTLED_STATUSES, type LedgerEntry } from './ledger-repo.ts';
export { IngestRepo, type PendingReservation } from './ingest-repo.ts';
export { FeatureRepo, type FactFilter, type FactTuple } from './feature-repo.ts';
export { FeatureSnapshotRepo, type SnapshotRow } from './feature-snapshot-repo.ts';
export { acquireRunLock } from './run-lock.ts';
export { StatusRepo, STATUS_TABLES } from './status-repo.ts';
export { InteractionRepo, type InteractionTuple } from './interaction-repo.ts';
export { FeedbackSignalRepo, type FeedbackSignalTuple, type FeedbackTypeCount } from './feedback-signal-repo.ts';
export { ServiceRepo, type ServiceCatalogRows, type ServiceRow } from './service-repo.ts';
export { WarehouseDialect, type MergeRule, type RunLock, type UpsertSpec } from './dialects/warehouse-dialect.ts';
export { KEY_CHUNK, keyChunks } from './key-chunks.ts';
export { RegistryRepo, type AliasRow, type EventRow, type VersionRow } from './registry-repo.ts';
export { TrackingRepo, type ArtifactRow, type MetricRow, type RunRow } from './tracking-repo.ts';
export { StudyRepo, type StudyRow, type TrialRow, type TrialStepRow } from './study-repo.ts';
export type * from './schema.ts';
export { FeedbackRepo, type FeedbackRow, type ListRef, type ServedListRow, type StoredEventKey } from './feedback-repo.ts';
export { packShownItems, shownServiceIds, unpackShownItems, type ShownItem } from './shown-items.ts';
export { recListFromValues, recListValues, REC_LIST_COLUMNS, type RecListValues } from './rec-list-values.ts';
export { FeedbackKeysRepo } from './feedback-keys-repo.ts';
export {
  FEEDBACK_METRICS,
  feedbackMetrics,
  ROLLUP_FEEDBACK_METRICS,
  FeedbackStatsRepo,
  type FeedbackCounts,
  type FeedbackStatsBy,
  type FeedbackStatsRow,
  type FeedbackSummaryValues,
  type SatisfactionValues,
} from './feedback-stats-repo.ts';
export { hourKeyOf, ShownKeys } from './rollup-writer.ts';
export { AlertMetricsRepo, type ServedModelRef } from './alert-metrics-repo.ts';
export {
  MonitoringRepo,
  type FeedbackGroupRow,
  type FunnelRow,
  type HourRange,
  type RollupModelKey,
  type SatisfactionPointRow,
  type ServedGroupRow,
} from './monitoring-repo.ts';
export { MonitoringStateRepo, type IngestEntryRow, type RegisteredVersionRow, type RegistryChangeRow } from './monitoring-state-repo.ts';
export {
  OrchestrationRepo,
  type DagRunRow,
  type DagStateRow,
  type TaskInstancePatch,
  type TaskInstanceRow,
  type TaskKey,
  type TaskLogRow,
  type TaskTryRow,
} from './orchestration-repo.ts';
export { backfillRollups } from './rollup-backfill.ts';
export { FreshReservationRepo, type FreshReservationQuery, type FreshReservationRow, type ReservationWatermark } from './fresh-reservation-repo.ts';
