/**
 * Experiment tracking and the model registry: runs, their artifacts in the bucket, registered versions and aliases;
 * and a loaded model with its service catalog, which the CLI, the batch job and the API answer from.
 */
export { ModelBundleStore, type ModelBundle, type ModelManifest, type SavedBundle } from './model-bundle-store.ts';
export { newRunId, RunTracker, type DataSnapshot, type FeedbackSnapshot, type RunRecord, type StartRunOptions } from './run-tracker.ts';
export { ModelRegistry, type RegisteredVersion, type RegistryEvent } from './model-registry.ts';
export { CorruptRunArtifactError, type ArtifactDigests, type RecordedArtifact } from './artifact-digests.ts';
export { WarehouseStudyStorage } from './warehouse-study-storage.ts';
export { loadTrainedModel, resolveModel, type LoadedModel, type ModelLocation } from './loaded-model.ts';
export {
  filteredTopForUser,
  hasHistory,
  isFilter,
  labelledListForUser,
  recommendForUser,
  toRecommendations,
  topForUser,
  type LabelledRecommendation,
  type ListOptions,
  type Recommendation,
  type RecommendationBasis,
} from './recommend-for-user.ts';
export { ServiceCatalog, type CatalogRead, type FilteredCandidates, type ServiceFilter, type ServiceLabel } from './service-catalog.ts';
export { WarningCode, type RecommendationWarning } from './recommendation-warnings.ts';
export { foldedTop, recommendWithout, withTrainedRow } from './folded-top.ts';
export { RecentHistory, type RecentReservation } from './recent-history.ts';
export { FreshHistoryReader, type FreshRefresh } from './fresh-history-reader.ts';
