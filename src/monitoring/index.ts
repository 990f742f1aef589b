/**
 * Monitoring: alert rules evaluated over metrics (from the warehouse, and from `pickwise serve` in-process), their
 * states persisted across restarts, and notifications delivered in the background (log, Slack).
 */
export * from './alerts/index.ts';
export { AlertDelivery, type AlertDeliveryOptions } from './alert-delivery.ts';
export { AlertStateFile } from './alert-state-file.ts';
export { Alerting, type AlertingOptions } from './alerting.ts';
export { createNotifiers } from './create-notifiers.ts';
export { LogNotifier } from './log-notifier.ts';
export { routeMetrics, type MetricSource } from './metric-source.ts';
export { servingModelFromConfig, WarehouseMetricSource, type ServingModelResolver } from './warehouse-metric-source.ts';
export type { Notifier } from './notifier.ts';
export { retryAfterMs, SlackNotifier, type SlackNotifierOptions } from './slack-notifier.ts';
export { ServingSignals, type LatencySummary } from './serving-signals.ts';
export { DashboardData, FUNNEL_TYPES, type FunnelStep, type SatisfactionPoint, type SummaryRow } from './dashboard-data.ts';
export { offlineByVersion, type OfflineMetrics } from './dashboard-offline.ts';
export { explicitRange, hourKeyAt, hourKeyIso, MAX_SPAN_DAYS, WINDOW_HOURS, windowRange, type DashboardWindow } from './dashboard-windows.ts';
