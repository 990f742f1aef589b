export { loadConfig, redactConfig, envToObject, CONFIG_FILE_NAME, type LoadConfigOptions } from './load-config.ts';
export {
  configSchema,
  durationSeconds,
  type Config,
  type ConfigInput,
  type DatabaseConfig,
  type StorageConfig,
  type IngestConfig,
  type ServeConfig,
  type FeedbackConfig,
  type ElasticsearchShipConfig,
  type AlertsConfig,
  type MonitoringConfig,
  type OrchestrationConfig,
} from './schema.ts';
export { dagSpecSchema, findCycle, ORCHESTRATION_ID, retryPolicySchema, type DagSpecConfig, type DagSpecInput } from './orchestration-schema.ts';
export {
  ALERT_METRICS,
  ALERT_METRIC_NAMES,
  DEFAULT_ALERT_RULES,
  metricSupportsScope,
  type AlertMetric,
  type AlertOp,
  type AlertRule,
  type AlertRuleInput,
  type SlackConfig,
} from './alerts-schema.ts';
