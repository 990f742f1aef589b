import type { FeedbackEventRecord } from '../feedback-event.ts';

/**
 * What became of one event handed to a sink:
 * - `created`: stored now;
 * - `duplicate`: the sink already held an event with this `eventId` (a resend after a crash): delivered before;
 * - `failed`: not stored, for a reason that may pass (overload, outage); sending it again later may work;
 * - `rejected`: the sink will never take it as it is (a mapping conflict, a document it cannot parse).
 */
export type DeliveryStatus = 'created' | 'duplicate' | 'failed' | 'rejected';

/** One event's outcome; `reason` says why for `failed` and `rejected`. */
export interface Delivery {
  readonly feedbackId: number;
  readonly eventId: string;
  readonly status: DeliveryStatus;
  readonly reason?: string;
}

/** The outcome of one {@link FeedbackSink.deliver} call. */
export interface SinkReport {
  /** One entry per event given, in the same order. */
  readonly deliveries: readonly Delivery[];
  /** Requests the sink made, its own retries included (0 for an empty batch). */
  readonly attempts: number;
}

/**
 * A store that stored feedback events are shipped to (Elasticsearch). Delivery is idempotent by `eventId`: an event
 * delivered twice is stored once and reported as `duplicate` the second time, which is what makes "ship, then
 * move the cursor" exactly-once across crashes.
 */
export interface FeedbackSink {
  /**
   * Tries to store each event, retrying what may pass within the sink's own bounds. Resolves with one outcome per
   * event; rejects only for a failure no retry can fix (refused credentials, not the expected server).
   */
  deliver(events: readonly FeedbackEventRecord[], options?: { readonly signal?: AbortSignal }): Promise<SinkReport>;
  close(): Promise<void>;
}
