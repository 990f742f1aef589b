import type { AlertMetric } from '../../config/index.ts';
import type { Notification } from './alert-state.ts';

const RATES: ReadonlySet<AlertMetric> = new Set(['cancel_rate', 'select_rate', 'api_error_rate']);

/** A metric value for people: rates in per cent, latencies in ms, ages in hours, counts as integers. */
export function formatValue(metric: AlertMetric, value: number | null): string {
  if (value === null) return '—';
  if (RATES.has(metric)) return `${(value * 100).toFixed(1)} %`;
  if (metric === 'api_p99_ms') return `${value.toFixed(0)} ms`;
  if (metric === 'data_age_hours') return `${value.toFixed(1)} h`;
  if (metric === 'net_satisfaction' || metric === 'net_satisfaction_drop_vs_previous') return value.toFixed(3);
  return String(Math.round(value));
}

/** A duration in seconds as the largest whole unit: 86400 → `24h`, 300 → `5m`. */
export function formatDuration(seconds: number): string {
  if (seconds % 86_400 === 0 && seconds >= 86_400 * 2) return `${seconds / 86_400}d`;
  if (seconds % 3600 === 0 && seconds >= 3600) return `${seconds / 3600}h`;
  if (seconds % 60 === 0 && seconds >= 60) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** The one-line summary of a notification, shared by every notifier (log line, Slack fallback text). */
export function describeNotification(n: Notification): string {
  if (n.kind === 'event') return `[EVENT] ${n.title}: ${n.text}`;
  if (n.kind === 'test') return `[TEST] ${n.rule}: a test message from pickwise; alerts will arrive here`;
  const state = n.kind === 'firing' ? 'FIRING' : 'RESOLVED';
  const scope = n.subject === null ? n.scope : `${n.scope}: ${n.subject}`;
  const comparison = `${n.metric} ${formatValue(n.metric, n.value)} ${n.kind === 'firing' ? n.op : `no longer ${n.op}`} ${formatValue(n.metric, n.threshold)}`;
  return `[${state}] ${n.rule}: ${comparison} (${scope}; ${n.events} events over ${formatDuration(n.window)})`;
}
