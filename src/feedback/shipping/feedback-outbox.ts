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
