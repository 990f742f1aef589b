import { BackendUnavailableError, ValidationError } from '../../shared/index.ts';
import type { Logger } from '../../shared/io.ts';
import { backoffDelay, realSleep, type BackoffBounds, type Sleep } from './backoff.ts';
import type { FeedbackOutbox } from './feedback-outbox.ts';
import type { Delivery, FeedbackSink } from './feedback-sink.ts';
import type { ShipCursor } from './ship-cursor.ts';

export interface ShipperOptions {
  readonly outbox: FeedbackOutbox;
  readonly cursor: ShipCursor;
  readonly sink: FeedbackSink;
  readonly logger: Logger;
  /** Events read from the outbox and handed to the sink at a time. */
  readonly batchSize: number;
  /** `follow`: milliseconds between looks at the outbox once caught up. */
  readonly pollMs: number;
  /** `follow`: delays between rounds while the sink or the outbox is unavailable. */
  readonly backoff: BackoffBounds;
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

/** Totals of one {@link Shipper.drain} or {@link Shipper.follow} run. */
export interface ShipTotals {
  /** Batches handed to the sink. */
  batches: number;
  /** Events stored by the sink now. */
  created: number;
  /** Events the sink already held (sent before a crash, or by another shipper): delivered, not doubled. */
  duplicates: number;
  /** Events the sink did not take this time (they stay in the outbox and are sent again). */
  failed: number;
  /** The cursor at the end: every event up to this `feedbackId` is in the sink. */
  cursor: number;
}

/** What one batch did. */
interface BatchResult {
  readonly read: number;
  /** The first event of the batch not confirmed, when one was not. */
  readonly stuck?: Delivery;
}

/**
 * Ships stored feedback events from an outbox to a sink, in `feedbackId` order, and moves a persisted cursor past
 * the events the sink confirmed (created, or already there). The cursor moves only over a confirmed prefix of each
 * batch and only after the sink answered, so:
 * - a crash after the sink stored a batch but before the cursor moved sends that batch again, and the sink
 *   answers duplicates (Elasticsearch: 409 on `create` by event id): every event is stored exactly once;
 * - an outage of any length loses nothing: the cursor waits before the first event not delivered.
 * One structured log line per batch.
 */
export class Shipper {
  readonly #o: ShipperOptions;
  readonly #sleep: Sleep;
  readonly #random: () => number;

  constructor(options: ShipperOptions) {
    if (!Number.isSafeInteger(options.batchSize) || options.batchSize < 1)
      throw new ValidationError(`batchSize must be a positive integer, got ${options.batchSize}`);
    this.#o = options;
    this.#sleep = options.sleep ?? realSleep;
    this.#random = options.random ?? Math.random;
  }

  /**
   * Ships until the outbox has nothing after the cursor, or `signal` aborts (after the batch in flight). Throws
   * BackendUnavailableError when the sink did not take a batch within its retries, and ValidationError when it
   * refused an event for good; in both cases the cursor stays before that event and nothing is lost.
   */
  async drain(options: { readonly signal?: AbortSignal } = {}): Promise<ShipTotals> {
    const totals = await this.#start();
    while (!options.signal?.aborted) {
      const batch = await this.#shipBatch(totals, options.signal);
      if (batch.stuck?.status === 'failed' && options.signal?.aborted) break; // stopped while retrying: not a failure
      if (batch.stuck) this.#throwStuck(batch.stuck, totals.cursor);
      if (batch.read === 0) break;
    }
    return totals;
  }

  /**
   * Ships, then keeps looking for new events every `pollMs`, until `signal` aborts (SIGTERM, Ctrl-C): the batch in
   * flight is finished and its confirmed events recorded in the cursor before it returns. While the sink or the
   * outbox is unavailable it waits (growing delays up to `backoff.maxMs`) and tries again, however long that
   * takes. An event the sink refuses for good stops it with ValidationError, the cursor just before that event.
   */
  async follow(options: { readonly signal: AbortSignal }): Promise<ShipTotals> {
    const { signal } = options;
    const totals = await this.#start();
    let failures = 0;
    while (!signal.aborted) {
      let wait: number;
      try {
        const batch = await this.#shipBatch(totals, signal);
        if (batch.stuck?.status === 'rejected') this.#throwStuck(batch.stuck, totals.cursor);
        if (batch.stuck) {
          failures++;
          wait = backoffDelay(failures - 1, this.#o.backoff, this.#random);
          this.#o.logger.warn({ cursor: totals.cursor, reason: batch.stuck.reason, retryInMs: wait, failures }, 'feedback sink unavailable; retrying');
        } else {
          failures = 0;
          if (batch.read > 0) continue;
          wait = this.#o.pollMs;
        }
      } catch (error) {
        if (!(error instanceof BackendUnavailableError)) throw error;
        failures++;
        wait = backoffDelay(failures - 1, this.#o.backoff, this.#random);
        this.#o.logger.warn({ err: error, cursor: totals.cursor, retryInMs: wait, failures }, 'feedback outbox unavailable; retrying');
      }
      try {
        await this.#sleep(wait, signal);
      } catch {
        break; // aborted while waiting
      }
    }
    this.#o.logger.info({ ...totals }, 'feedback shipper stopped');
    return totals;
  }

  async #start(): Promise<ShipTotals> {
    return { batches: 0, created: 0, duplicates: 0, failed: 0, cursor: await this.#o.cursor.get() };
  }

  async #shipBatch(totals: ShipTotals, signal: AbortSignal | undefined): Promise<BatchResult> {
    const started = performance.now();
    const events = await this.#o.outbox.read(totals.cursor, this.#o.batchSize);
    if (events.length === 0) return { read: 0 };
    const report = await this.#o.sink.deliver(events, signal ? { signal } : {});
    let confirmed = totals.cursor;
    let stuck: Delivery | undefined;
    const counts = { created: 0, duplicates: 0, failed: 0, rejected: 0 };
    for (const delivery of report.deliveries) {
      if (delivery.status === 'created') counts.created++;
      else if (delivery.status === 'duplicate') counts.duplicates++;
      else if (delivery.status === 'failed') counts.failed++;
      else counts.rejected++;
      const ok = delivery.status === 'created' || delivery.status === 'duplicate';
      if (ok && stuck === undefined) confirmed = delivery.feedbackId;
      if (!ok) stuck ??= delivery;
    }
    if (confirmed > totals.cursor) await this.#o.cursor.set(confirmed);
    totals.batches++;
    totals.created += counts.created;
    totals.duplicates += counts.duplicates;
    totals.failed += counts.failed;
    totals.cursor = confirmed;
    const line = {
      events: events.length,
      ...counts,
      attempts: report.attempts,
      fromFeedbackId: events[0]!.feedbackId,
      toFeedbackId: events[events.length - 1]!.feedbackId,
      cursor: confirmed,
      ms: Math.round(performance.now() - started),
    };
    if (stuck) this.#o.logger.warn({ ...line, firstUndelivered: stuck.eventId, reason: stuck.reason }, 'feedback batch partly shipped');
    else this.#o.logger.info(line, 'feedback batch shipped');
    return stuck ? { read: events.length, stuck } : { read: events.length };
  }

  #throwStuck(stuck: Delivery, cursor: number): never {
    const where = `event ${stuck.eventId} (feedbackId ${stuck.feedbackId})`;
    const kept = `the cursor stays at ${cursor}, so nothing after it is lost`;
    if (stuck.status === 'rejected') {
      throw new ValidationError(
        `the feedback sink refused ${where}: ${stuck.reason ?? 'no reason given'}; ${kept}. Fix the index or its mapping, then ship again`,
        {
          details: { eventId: stuck.eventId, feedbackId: stuck.feedbackId, cursor },
        },
      );
    }
    throw new BackendUnavailableError(`the feedback sink did not take ${where}: ${stuck.reason ?? 'no reason given'}; ${kept}. Ship again once it is back`, {
      details: { eventId: stuck.eventId, feedbackId: stuck.feedbackId, cursor },
    });
  }
}
