import type { FeedbackEventRecord } from '../feedback-event.ts';
import type { Delivery, FeedbackSink, SinkReport } from './feedback-sink.ts';

/** A {@link FeedbackSink} that keeps events in memory by `eventId`: for tests and `--dry-run`. */
export class MemoryFeedbackSink implements FeedbackSink {
  readonly #stored = new Map<string, FeedbackEventRecord>();

  /** The events stored, by `eventId`, in the order they were first stored. */
  get stored(): ReadonlyMap<string, FeedbackEventRecord> {
    return this.#stored;
  }

  async deliver(events: readonly FeedbackEventRecord[]): Promise<SinkReport> {
    const deliveries = events.map((event): Delivery => {
      const { feedbackId, eventId } = event;
      if (this.#stored.has(eventId)) return { feedbackId, eventId, status: 'duplicate' };
      this.#stored.set(eventId, event);
      return { feedbackId, eventId, status: 'created' };
    });
    return { deliveries, attempts: events.length > 0 ? 1 : 0 };
  }

  async close(): Promise<void> {}
}
