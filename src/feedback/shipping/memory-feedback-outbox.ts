import { ValidationError } from '../../shared/index.ts';
import type { FeedbackEventRecord } from '../feedback-event.ts';
import { checkOutboxRead, type FeedbackOutbox } from './feedback-outbox.ts';

/** A {@link FeedbackOutbox} held in memory: for tests and dry runs. */
export class MemoryFeedbackOutbox implements FeedbackOutbox {
  readonly #events: FeedbackEventRecord[] = [];

  constructor(events: readonly FeedbackEventRecord[] = []) {
    for (const event of events) this.add(event);
  }

  /** Appends a stored event; its `feedbackId` must be greater than every one before it, as the warehouse assigns them. */
  add(event: FeedbackEventRecord): void {
    const last = this.#events[this.#events.length - 1];
    if (!Number.isSafeInteger(event.feedbackId) || event.feedbackId < 1 || (last && event.feedbackId <= last.feedbackId)) {
      throw new ValidationError(`feedbackId ${event.feedbackId} does not increase (the last is ${last?.feedbackId ?? 'none'})`);
    }
    this.#events.push(event);
  }

  async read(afterFeedbackId: number, limit: number): Promise<FeedbackEventRecord[]> {
    checkOutboxRead(afterFeedbackId, limit);
    let lo = 0;
    let hi = this.#events.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.#events[mid]!.feedbackId <= afterFeedbackId) lo = mid + 1;
      else hi = mid;
    }
    return this.#events.slice(lo, lo + limit);
  }
}
