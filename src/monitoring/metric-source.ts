import { ALERT_METRICS, type AlertRule } from '../config/index.ts';
import type { ReadingResult } from './alerts/index.ts';

/**
 * Where rule evaluation reads metrics: one reading of the rule's metric, for its scope, over the `window` seconds
 * before `now`. Never throws for a metric it cannot measure: it answers `{ ok: false, reason }`, which holds the
 * rule's state and is shown by `pickwise alerts list`.
 */
export interface MetricSource {
  read(rule: AlertRule, now: Date): Promise<ReadingResult>;
}

/**
 * Routes each metric to the source that measures it: the warehouse's metrics to `warehouse`, the serving ones
 * (`api_error_rate`, `api_p99_ms`, `model_load_failed`) to `serving` when the process serves the API; elsewhere
 * those have no reading.
 */
export function routeMetrics(sources: { warehouse: MetricSource; serving?: MetricSource | undefined }): MetricSource {
  return {
    async read(rule, now) {
      if (!ALERT_METRICS[rule.metric].servingOnly) return sources.warehouse.read(rule, now);
      if (sources.serving !== undefined) return sources.serving.read(rule, now);
      return { ok: false, reason: `${rule.metric} is measured inside pickwise serve (the rule is evaluated there)` };
    },
  };
}
