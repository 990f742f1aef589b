import { systemClock, toUtcText, type Clock } from '../shared/index.ts';
import type { FeedbackRepo } from '../warehouse/index.ts';
import type { FeedbackEventRecord } from './feedback-event.ts';
import { toFeedbackEventRecord } from './feedback-record.ts';
import { checkOutboxRead, type FeedbackOutbox } from './shipping/feedback-outbox.ts';

/** How long a gap in `feedback_id` may still be filled by a transaction that has not committed yet. */
export const OUTBOX_SETTLE_MS = 30_000;

/**
 * The warehouse's `fact_feedback` as an outbox, in `feedback_id` order. Ids are handed out at insert and become
 * visible at commit, so with concurrent writers (MariaDB) id 10 can be visible while id 9 is still being written:
 * a read stops before a gap whose next event is younger than `settleMs` (the lower id may still appear), and
 * passes older gaps (ids lost to rolled-back or ignored inserts never appear).
 */
export class WarehouseFeedbackOutbox implements FeedbackOutbox {
  readonly #repo: FeedbackRepo;
  readonly #settleMs: number;
  readonly #clock: Clock;

  constructor(options: { readonly repo: FeedbackRepo; readonly settleMs?: number; readonly clock?: Clock }) {
    this.#repo = options.repo;
    this.#settleMs = options.settleMs ?? OUTBOX_SETTLE_MS;
    this.#clock = options.clock ?? systemClock;
  }

  async read(afterFeedbackId: number, limit: number): Promise<FeedbackEventRecord[]> {
    checkOutboxRead(afterFeedbackId, limit);
    const rows = await this.#repo.eventsAfter(afterFeedbackId, limit);
    const settled = toUtcText(new Date(this.#clock().getTime() - this.#settleMs));
    const out: FeedbackEventRecord[] = [];
    let previous = afterFeedbackId;
    for (const row of rows) {
      if (row.feedbackId !== previous + 1 && row.receivedAt > settled) break;
      out.push(toFeedbackEventRecord(row));
      previous = row.feedbackId;
    }
    return out;
  }
}
