/** The feature store: id maps, the weighted interaction log and the feat_* snapshot tables built from the warehouse. */
export { IdIndex } from './id-index.ts';
export {
  DEFAULT_WEIGHTING,
  FEEDBACK_SIGNAL_TYPES,
  feedbackWeight,
  interactionWeight,
  type FeedbackSignalType,
  type FeedbackWeights,
  type InteractionWeighting,
} from './interaction-weights.ts';
export { loadInteractionLog, parseWarehouseTime, type FeedbackUsage, type InteractionLog } from './interaction-log.ts';
export { ageBand, FeatureAggregator, type ServiceDim, type UserDim } from './feature-aggregator.ts';
export {
  buildFeatureTables,
  latestFeatureSnapshot,
  FEATURE_BUILD_CHANNEL,
  KEPT_FEATURE_SNAPSHOTS,
  type FeatureBuildOptions,
  type FeatureBuildSummary,
  type FeatureSnapshot,
} from './feature-tables.ts';
export { featureFreshness, refreshFeatures, type FeatureFreshness, type FeatureRefresh } from './feature-freshness.ts';
