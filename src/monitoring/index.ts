/**
 * Monitoring: alert rules evaluated over metrics (from the warehouse, and from `pickwise serve` in-process), their
 * states persisted across restarts, and notifications delivered in the background (log, Slack).
 */
export * from './alerts/index.ts';
