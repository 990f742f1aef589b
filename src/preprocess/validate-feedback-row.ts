import { FEEDBACK_TYPES, MAX_FEEDBACK_ID_LENGTH, type LandingFeedbackRow, type FeedbackType } from '../shared/index.ts';
import type { ColumnIndex } from './landing-contract.ts';
import { RejectCode } from './rows.ts';
import { clip, isRejected, reject, requiredId } from './row-checks.ts';
import { parseIsoTimestamp } from './timestamp.ts';
import type { RowValidator } from './validate-row.ts';

/** Longest `at` of a feedback event (as the API allows). */
const MAX_FEEDBACK_AT_LENGTH = 40;

/**
 * feedback: event_id, user_id, service_id, type required (ids up to {@link MAX_FEEDBACK_ID_LENGTH} characters, as
 * the API allows, on one line); recommendation_id and at may be empty. A future `at` is not refused here: it is
 * stored at "now" and flagged, exactly as POST /v1/feedback does (feedback.maxClockSkew).
 */
export function feedbackValidator(index: ColumnIndex): RowValidator<LandingFeedbackRow> {
  const [iEvent, iList, iUser, iService, iType, iAt] = ['event_id', 'recommendation_id', 'user_id', 'service_id', 'type', 'at'].map((c) => index[c] ?? -1) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  return (fields) => {
    const eventId = requiredId(fields, iEvent, 'event_id', MAX_FEEDBACK_ID_LENGTH);
    if (isRejected(eventId)) return eventId;
    let recommendationId: string | null = null;
    if ((fields[iList] ?? '').trim() !== '') {
      const id = requiredId(fields, iList, 'recommendation_id', MAX_FEEDBACK_ID_LENGTH);
      if (isRejected(id)) return id;
      recommendationId = id;
    }
    const userId = requiredId(fields, iUser, 'user_id', MAX_FEEDBACK_ID_LENGTH);
    if (isRejected(userId)) return userId;
    const serviceId = requiredId(fields, iService, 'service_id', MAX_FEEDBACK_ID_LENGTH);
    if (isRejected(serviceId)) return serviceId;
    const typeRaw = (fields[iType] ?? '').trim();
    const type = typeRaw.toLowerCase() as FeedbackType;
    if (typeRaw === '') return reject(RejectCode.MISSING_VALUE, 'type is empty');
    if (!FEEDBACK_TYPES.includes(type)) return reject(RejectCode.BAD_TYPE, `type '${clip(typeRaw)}' is not one of ${FEEDBACK_TYPES.join(', ')}`);
    const atRaw = (fields[iAt] ?? '').trim();
    if (atRaw === '') return { eventId, recommendationId, userId, serviceId, type, at: null };
    if (atRaw.length > MAX_FEEDBACK_AT_LENGTH)
      return reject(RejectCode.VALUE_TOO_LONG, `at '${clip(atRaw)}' is longer than ${MAX_FEEDBACK_AT_LENGTH} characters`);
    const parsed = parseIsoTimestamp(atRaw);
    if (typeof parsed === 'string') return reject(RejectCode.BAD_TIMESTAMP, `at: ${parsed}`);
    return { eventId, recommendationId, userId, serviceId, type, at: atRaw };
  };
}
