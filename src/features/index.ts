/** The feature store: id maps, the weighted interaction log and the feat_* snapshot tables built from the warehouse. */
export { IdIndex } from './id-index.ts';
export { DEFAULT_WEIGHTING, interactionWeight, type InteractionWeighting } from './interaction-weights.ts';
export { loadInteractionLog, parseWarehouseTime, type InteractionLog } from './interaction-log.ts';
export { ageBand, buildFeatureTables, latestFeatureSnapshot, KEPT_FEATURE_SNAPSHOTS, type FeatureBuildSummary, type FeatureSnapshot } from './feature-tables.ts';
