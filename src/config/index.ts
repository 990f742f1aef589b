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
} from './schema.ts';
