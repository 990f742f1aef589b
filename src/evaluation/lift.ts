import { METRIC_NAMES, type MetricName, type MetricValues } from './evaluate.ts';

/**
 * Relative improvement of a model over a baseline, per metric, in percent:
 *   lift(m) = 100 · (model(m) − baseline(m)) / baseline(m)
 * as in the shared data README's "lift over popularity" column (ALS NDCG 0.0743 vs 0.0613 → +21 %).
 * A zero baseline gives 0 when the model is also 0 and Infinity otherwise. For novelty, higher is "more novel",
 * not necessarily better.
 */
export function liftPercent(model: MetricValues, baseline: MetricValues): Record<MetricName, number> {
  const out = {} as Record<MetricName, number>;
  for (const name of METRIC_NAMES) {
    const m = model[name];
    const b = baseline[name];
    out[name] = b === 0 ? (m === 0 ? 0 : m > 0 ? Infinity : -Infinity) : (100 * (m - b)) / Math.abs(b);
  }
  return out;
}
