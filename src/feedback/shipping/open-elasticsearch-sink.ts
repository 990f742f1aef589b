import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Client as ElasticsearchClient } from '@elastic/elasticsearch';
import type { ElasticsearchShipConfig } from '../../config/index.ts';
import { ConfigError } from '../../shared/index.ts';
import type { Sleep } from './backoff.ts';
import { ElasticsearchSink, type ElasticsearchClientLike } from './elasticsearch-sink.ts';

/**
 * The {@link ElasticsearchSink} that `feedback.elasticsearch` describes, with the official client
 * (`@elastic/elasticsearch` 8.x, which speaks to Elasticsearch 8 and 9). The client's own retries are off: the sink
 * retries with its own backoff and knows which items to resend. The CA file is read here, so a wrong path fails
 * before anything is shipped.
 */
export function openElasticsearchSink(config: ElasticsearchShipConfig, options: { sleep?: Sleep; random?: () => number } = {}): ElasticsearchSink {
  if (config.url === undefined) throw new ConfigError('feedback.elasticsearch.url is not set (PICKWISE_FEEDBACK__ELASTICSEARCH__URL)');
  let ca: Buffer | undefined;
  if (config.caFile !== undefined) {
    try {
      ca = readFileSync(config.caFile);
    } catch (error) {
      throw new ConfigError(`feedback.elasticsearch.caFile ${config.caFile} cannot be read: ${(error as Error).message}`, { cause: error });
    }
  }
  const auth =
    config.apiKey !== undefined
      ? { apiKey: config.apiKey }
      : config.username !== undefined
        ? { username: config.username, password: config.password ?? '' }
        : undefined;
  const url = config.url;
  const client = (): ElasticsearchClientLike =>
    new (loadClient())({
      node: url,
      ...(auth ? { auth } : {}),
      ...(ca ? { tls: { ca } } : {}),
      maxRetries: 0,
      requestTimeout: config.requestTimeoutSeconds * 1000,
      name: 'pickwise-feedback-shipper',
    });
  return new ElasticsearchSink({
    client,
    indexPrefix: config.indexPrefix,
    maxAttempts: config.maxAttempts,
    backoff: { initialMs: config.initialBackoffMs, maxMs: config.maxBackoffMs },
    serverName: `Elasticsearch at ${new URL(url).origin}`,
    ...options,
  });
}

/**
 * The client's class, loaded when the first client is made: its 200 ms of module loading is not paid by every
 * command that imports the feedback modules (recording lists, `recommend --all`) but only by one that ships.
 */
function loadClient(): typeof ElasticsearchClient {
  return (createRequire(import.meta.url)('@elastic/elasticsearch') as { Client: typeof ElasticsearchClient }).Client;
}
