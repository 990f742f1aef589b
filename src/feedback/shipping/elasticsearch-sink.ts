import { ConfigError } from '../../shared/index.ts';
import type { FeedbackEventRecord } from '../feedback-event.ts';
import { backoffDelay, realSleep, type BackoffBounds, type Sleep } from './backoff.ts';
import { dailyIndexName, feedbackDocument, feedbackIndexTemplate } from './elasticsearch-documents.ts';
import type { Delivery, FeedbackSink, SinkReport } from './feedback-sink.ts';

/** One item of a `_bulk` answer, as much of it as the sink reads. */
export interface BulkItemResult {
  readonly _id?: string | null;
  readonly status: number;
  readonly error?: { readonly type?: string; readonly reason?: string | null } | null;
}

/**
 * The part of `@elastic/elasticsearch`'s `Client` the sink uses: typed structurally so tests and other clients can
 * stand in, and so the SDK's large types stay out of this module's API.
 */
export interface ElasticsearchClientLike {
  bulk(params: { operations: object[] }): Promise<{ readonly errors: boolean; readonly items: readonly Partial<Record<string, BulkItemResult>>[] }>;
  readonly indices: {
    getIndexTemplate(params: {
      name: string;
    }): Promise<{ readonly index_templates: readonly { readonly index_template: { readonly version?: number | null } }[] }>;
    putIndexTemplate(params: ReturnType<typeof feedbackIndexTemplate>): Promise<unknown>;
  };
  close(): Promise<void>;
}

export interface ElasticsearchSinkOptions {
  /** A client, or a factory called on first use (so building the sink opens no connection). */
  readonly client: ElasticsearchClientLike | (() => ElasticsearchClientLike);
  /** Daily indices `<indexPrefix>-YYYY.MM.DD`; also the index template's name. */
  readonly indexPrefix: string;
  /** Requests per {@link ElasticsearchSink.deliver} call, first try included. */
  readonly maxAttempts: number;
  readonly backoff: BackoffBounds;
  /** Where the server is, for error messages (no credentials). */
  readonly serverName?: string;
  readonly sleep?: Sleep;
  /** Values in [0, 1) for the backoff's jitter. */
  readonly random?: () => number;
}

const RETRYABLE_CLIENT_ERRORS = new Set(['ConnectionError', 'TimeoutError', 'NoLivingConnectionsError', 'SerializationError', 'DeserializationError']);

/**
 * A {@link FeedbackSink} writing to Elasticsearch with `_bulk` `create` actions whose `_id` is the event's
 * `eventId`, into daily indices. `create` never overwrites: an event sent again answers 409, which the sink
 * reports as `duplicate` (delivered before), not as an error. Items answered 429 or 5xx, and whole requests that
 * fail with 429, 5xx, a timeout or a lost connection, are retried with jittered exponential backoff up to
 * `maxAttempts` requests; what still fails is reported `failed` (the shipper keeps it in the outbox). Other item
 * errors (a mapping conflict) are `rejected`. The index template is checked before the first bulk request of each
 * sink, and put when the cluster lacks it at this version.
 */
export class ElasticsearchSink implements FeedbackSink {
  readonly #options: ElasticsearchSinkOptions;
  readonly #sleep: Sleep;
  readonly #random: () => number;
  #client: ElasticsearchClientLike | undefined;
  #templateInstalled = false;

  constructor(options: ElasticsearchSinkOptions) {
    this.#options = options;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
  }

  async deliver(events: readonly FeedbackEventRecord[], options: { readonly signal?: AbortSignal } = {}): Promise<SinkReport> {
    const outcomes = new Array<Delivery | undefined>(events.length);
    let pending: number[] = [];
    events.forEach((event, i) => {
      if (feedbackDocument(event) === undefined) {
        outcomes[i] = {
          feedbackId: event.feedbackId,
          eventId: event.eventId,
          status: 'rejected',
          reason: 'at or receivedAt is not UTC text YYYY-MM-DD HH:MM:SS.sss',
        };
      } else pending.push(i);
    });
    let attempts = 0;
    let lastReason = '';
    while (pending.length > 0 && attempts < this.#options.maxAttempts) {
      if (attempts > 0) {
        if (options.signal?.aborted) break;
        try {
          await this.#sleep(backoffDelay(attempts - 1, this.#options.backoff, this.#random), options.signal);
        } catch {
          break; // stopped while waiting: what is pending stays failed, and so stays in the outbox
        }
      }
      attempts++;
      const retry: number[] = [];
      try {
        await this.#installTemplate();
        const response = await this.#connect().bulk({ operations: pending.flatMap((i) => this.#operations(events[i]!)) });
        pending.forEach((eventIndex, itemIndex) => {
          const event = events[eventIndex]!;
          const item = Object.values(response.items[itemIndex] ?? {})[0];
          const status = item?.status ?? 0;
          const base = { feedbackId: event.feedbackId, eventId: event.eventId };
          if (status === 201 || status === 200) outcomes[eventIndex] = { ...base, status: 'created' };
          else if (status === 409) outcomes[eventIndex] = { ...base, status: 'duplicate' };
          else {
            const reason = item ? `${status} ${item.error?.type ?? 'error'}: ${item.error?.reason ?? ''}`.trim() : 'no item in the bulk answer';
            if (status === 429 || status >= 500 || !item) {
              retry.push(eventIndex);
              lastReason = reason;
            } else outcomes[eventIndex] = { ...base, status: 'rejected', reason };
          }
        });
      } catch (error) {
        lastReason = this.#retryableReason(error);
        retry.push(...pending);
      }
      pending = retry;
    }
    for (const i of pending) {
      const event = events[i]!;
      outcomes[i] = { feedbackId: event.feedbackId, eventId: event.eventId, status: 'failed', reason: lastReason || 'stopped before it was sent' };
    }
    return { deliveries: outcomes as Delivery[], attempts };
  }

  async close(): Promise<void> {
    await this.#client?.close();
  }

  #connect(): ElasticsearchClientLike {
    this.#client ??= typeof this.#options.client === 'function' ? this.#options.client() : this.#options.client;
    return this.#client;
  }

  /**
   * Puts the index template unless the cluster already holds it at this version (a restarted shipper, or another
   * one, installed it), so an operator's edits of the same version are kept. Once per sink.
   */
  async #installTemplate(): Promise<void> {
    if (this.#templateInstalled) return;
    const template = feedbackIndexTemplate(this.#options.indexPrefix);
    let installed: number | null | undefined;
    try {
      const found = await this.#connect().indices.getIndexTemplate({ name: template.name });
      installed = found.index_templates[0]?.index_template.version;
    } catch (error) {
      if ((error as { meta?: { statusCode?: number } }).meta?.statusCode !== 404) throw error;
    }
    if (installed !== template.version) await this.#connect().indices.putIndexTemplate(template);
    this.#templateInstalled = true;
  }

  #operations(event: FeedbackEventRecord): object[] {
    const index = dailyIndexName(this.#options.indexPrefix, event.at)!;
    return [{ create: { _index: index, _id: event.eventId } }, feedbackDocument(event)!];
  }

  /** The reason text of an error worth retrying; throws for one no retry can fix. */
  #retryableReason(error: unknown): string {
    const name = error instanceof Error ? error.name : '';
    const meta = (error as { meta?: { statusCode?: number; body?: { error?: { type?: string; reason?: string } } } }).meta;
    // The client sets statusCode 0 when no answer arrived (a reset or refused connection).
    const status = meta?.statusCode ? meta.statusCode : undefined;
    const detail = meta?.body?.error
      ? `${meta.body.error.type ?? 'error'}: ${meta.body.error.reason ?? ''}`
      : error instanceof Error
        ? error.message
        : String(error);
    if (status === undefined && RETRYABLE_CLIENT_ERRORS.has(name)) return `${name}: ${detail}`;
    if (status !== undefined && (status === 429 || status >= 500)) return `${status} ${detail}`;
    const server = this.#options.serverName ?? 'Elasticsearch';
    if (name === 'ProductNotSupportedError') {
      throw new ConfigError(`${server} is not Elasticsearch (no x-elastic-product header): check feedback.elasticsearch.url`, { cause: error });
    }
    if (status === 401 || status === 403) {
      throw new ConfigError(
        `${server} refused the credentials (${status} ${detail}): check feedback.elasticsearch.apiKey, or username and password, ` +
          `and that they may create indices ${this.#options.indexPrefix}-* and the index template ${this.#options.indexPrefix}`,
        { cause: error },
      );
    }
    if (status === 413) {
      throw new ConfigError(`${server} refused a bulk request as too large (413): lower feedback.elasticsearch.batchSize`, { cause: error });
    }
    if (status !== undefined) {
      throw new ConfigError(`${server} answered ${status} (${detail}): check feedback.elasticsearch (indexPrefix, url)`, { cause: error });
    }
    throw error;
  }
}
