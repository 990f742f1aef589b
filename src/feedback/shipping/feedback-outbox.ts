import { ValidationError } from '../../shared/index.ts';
import type { FeedbackEventRecord } from '../feedback-event.ts';

/**
 * Where a shipper reads stored feedback events from: the warehouse's append-only feedback table, read in
 * `feedbackId` order. Shipping never changes the outbox; how far a sink got is a {@link ShipCursor}'s business,
 * so several sinks can follow one outbox at their own pace.
 */
export interface FeedbackOutbox {
  /**
   * Up to `limit` events with `feedbackId > afterFeedbackId`, in increasing `feedbackId` order (gaps allowed).
   * An empty array means the sink has caught up. `limit` is a positive integer.
   *
   * The shipper's cursor moves past every id it has read, so an adapter must not return an event while a lower
   * `feedbackId` may still appear: with concurrent writers (MariaDB), id 10 can commit before id 9. An adapter over
   * such a database returns only events older than a settle interval, or stops before a gap that is still young.
   */
  read(afterFeedbackId: number, limit: number): Promise<FeedbackEventRecord[]>;
}

/** Checks an outbox read's arguments the same way in every adapter. */
export function checkOutboxRead(afterFeedbackId: number, limit: number): void {
  if (!Number.isSafeInteger(afterFeedbackId) || afterFeedbackId < 0) {
    throw new ValidationError(`outbox position must be a non-negative integer, got ${String(afterFeedbackId)}`);
  }
  if (!Number.isSafeInteger(limit) || limit < 1) throw new ValidationError(`outbox read limit must be a positive integer, got ${String(limit)}`);
}
