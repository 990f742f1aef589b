/**
 * Public API of offline evaluation: hold-out splits, per-user ranking metrics, the one-pass evaluator over the
 * Recommender interface, and lift over a baseline.
 */
export { randomSplit, temporalSplit, SplitSide, type InteractionColumns, type Split, type SplitOptions } from './split.ts';
export {
  averagePrecisionAtK,
  catalogueCoverage,
  hitRateAtK,
  hitsAtK,
  ndcgAtK,
  novelty,
  precisionAtK,
  recallAtK,
  type RankingMetric,
  type Relevant,
} from './metrics.ts';
export {
  METRIC_NAMES,
  rankingMetricsAtK,
  rankingMetricsAtKParallel,
  type MetricName,
  type MetricValues,
  type RankingMetricsOptions,
  type RankingReport,
} from './evaluate.ts';
export { liftPercent } from './lift.ts';
