import type { FeedbackType } from '../shared/index.ts';

export { FEEDBACK_TYPES, type FeedbackType } from '../shared/index.ts';

/** How a stored event was tied to the list that caused it. */
export type Attribution = 'list' | 'window' | 'none';

/**
 * A stored feedback event, as the warehouse holds it and as it is shipped to sinks (Elasticsearch). `feedbackId`
 * increases with every stored event: the outbox order a shipper's cursor follows.
 */
export interface FeedbackEventRecord {
  readonly feedbackId: number;
  /** The client's idempotency key; the document id in Elasticsearch. */
  readonly eventId: string;
  readonly recommendationId: string | null;
  readonly userId: string;
  readonly serviceId: string;
  readonly type: FeedbackType;
  /** When it happened, UTC text `YYYY-MM-DD HH:MM:SS.sss`. */
  readonly at: string;
  /** When the warehouse stored it, same format. */
  readonly receivedAt: string;
  readonly attribution: Attribution;
  readonly modelName: string | null;
  readonly modelVersion: number | null;
  readonly basis: string | null;
  /** 1-based position of the service in the attributed list. */
  readonly rank: number | null;
  /** Stable codes of what was odd about it (e.g. UNKNOWN_USER, UNKNOWN_SERVICE, NOT_IN_LIST, CLOCK_CLAMPED). */
  readonly flags: readonly string[];
}
