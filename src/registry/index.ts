/** Experiment tracking and the model registry: runs, their artifacts in the bucket, registered versions and aliases. */
export { ModelBundleStore, type ModelBundle, type ModelManifest, type SavedBundle } from './model-bundle-store.ts';
export { newRunId, RunTracker, type DataSnapshot, type RunRecord, type StartRunOptions } from './run-tracker.ts';
export { ModelRegistry, type RegisteredVersion, type RegistryEvent } from './model-registry.ts';
export { CorruptRunArtifactError, type ArtifactDigests, type RecordedArtifact } from './artifact-digests.ts';
export { WarehouseStudyStorage } from './warehouse-study-storage.ts';
