// Pure helpers of the dashboard page: how numbers, names and series are shown. No DOM, no fetch.

/** Line colours, one per model version in order, calm and distinguishable. */
export const PALETTE = ['#2f6db5', '#d9822b', '#3a9e6f', '#a14fb5', '#c23b4a', '#5f7f99', '#b59a2f', '#2fa3a8'];

/** How a model version is named in legends and tables: `als v3`; events attributed to no list: `unattributed`. */
export function versionLabel(model, version) {
  if (model === null || model === undefined) return 'unattributed';
  return version === null || version === undefined ? model : `${model} v${version}`;
}

/** A share as a percentage with one decimal (`12.5 %`), or `—` when undefined (a rate over nothing). */
export function percent(value) {
  return value === null || value === undefined ? '—' : `${(value * 100).toFixed(1)} %`;
}

/** A signed ratio in −1…1 with three decimals (`+0.250`), or `—`. */
export function signed(value) {
  if (value === null || value === undefined) return '—';
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value).toFixed(3)}`;
}

/** A lift over popularity, in percent (`+42.0 %`), or `—`. */
export function lift(value) {
  if (value === null || value === undefined) return '—';
  return `${value > 0 ? '+' : value < 0 ? '−' : ''}${Math.abs(value).toFixed(1)} %`;
}

/** A metric in 0…1 with three decimals, or `—`. */
export function decimal(value) {
  return value === null || value === undefined ? '—' : value.toFixed(3);
}

/** A count with thousands separators. */
export function count(value) {
  return value === null || value === undefined ? '—' : Math.round(value).toLocaleString('en-US');
}

/** Milliseconds, with one decimal under 10. */
export function millis(value) {
  if (value === null || value === undefined) return '—';
  return `${value < 10 ? value.toFixed(1) : Math.round(value).toLocaleString('en-US')} ms`;
}

/** An age in hours as `3.2 h` or `4.1 d`. */
export function age(hours) {
  if (hours === null || hours === undefined) return '—';
  return hours < 48 ? `${hours.toFixed(1)} h` : `${(hours / 24).toFixed(1)} d`;
}

/** An ISO time as `2026-12-03 10:00 UTC`. */
export function utc(iso) {
  if (iso === null || iso === undefined) return '—';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? String(iso) : `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/**
 * The satisfaction series as uPlot data: x = the union of every series' bucket starts (seconds), one y array per
 * series and metric, null where a series has no point or its rate is undefined (a gap, not a zero).
 */
export function alignSeries(series, metric) {
  const times = [...new Set(series.flatMap((s) => s.points.map((p) => Date.parse(p.t) / 1000)))].sort((a, b) => a - b);
  const index = new Map(times.map((t, i) => [t, i]));
  const ys = series.map((s) => {
    const y = new Array(times.length).fill(null);
    for (const p of s.points) y[index.get(Date.parse(p.t) / 1000)] = p[metric] ?? null;
    return y;
  });
  return [times, ...ys];
}

/** Whether a satisfaction answer has anything to draw. */
export function hasPoints(series) {
  return series.some((s) => s.points.some((p) => p.impressions + p.selects + p.cancels > 0));
}

/** The funnel's steps in order, with their counts from an answer's `steps`. */
export const FUNNEL_STEPS = ['impression', 'select', 'cancel', 'reserve', 'complete'];

export function stepCounts(steps) {
  const byType = new Map(steps.map((s) => [s.type, s.events]));
  return FUNNEL_STEPS.map((type) => ({ type, events: byType.get(type) ?? 0 }));
}

/** The headline of a step relative to the one it follows (select rate, cancel rate), or null. */
export function stepRatio(counts, type) {
  const n = (t) => counts.find((c) => c.type === t)?.events ?? 0;
  if (type === 'select') return n('impression') > 0 ? n('select') / n('impression') : null;
  if (type === 'cancel') return n('select') > 0 ? n('cancel') / n('select') : null;
  return null;
}
