import type { FeedbackConfig } from '../config/index.ts';
import { recordFeedback } from '../feedback/index.ts';
import type { FeedbackRowOutcome, FeedbackRowStore } from '../ingest/index.ts';
import { FeedbackRepo } from '../warehouse/index.ts';

/**
 * The feedback stage behind ingest's {@link FeedbackRowStore} port: the rows of a `feedback*.csv` file are stored
 * by the same `recordFeedback` as POST /v1/feedback (attribution, flags, clamping by `feedback.maxClockSkew`,
 * idempotency by event_id), inside the file's transaction.
 */
export function recordingFeedbackRows(config: Readonly<Pick<FeedbackConfig, 'attributionWindow' | 'maxClockSkew'>>): FeedbackRowStore {
  return {
    async store({ trx, dialect, rows, now }) {
      const events = rows.map((r) => ({
        event_id: r.eventId,
        user_id: r.userId,
        service_id: r.serviceId,
        type: r.type,
        ...(r.recommendationId === null ? {} : { recommendation_id: r.recommendationId }),
        ...(r.at === null ? {} : { at: r.at }),
      }));
      const outcomes = await recordFeedback({
        repo: new FeedbackRepo({ db: trx, dialect }),
        events,
        now,
        attributionWindow: config.attributionWindow,
        maxClockSkew: config.maxClockSkew,
      });
      return outcomes.map((o): FeedbackRowOutcome =>
        o.status === 'rejected' ? { status: 'rejected', code: o.reason.code, reason: o.reason.message } : { status: o.status },
      );
    },
  };
}
