import type { FeedbackRow } from '../warehouse/index.ts';
import type { Attribution, FeedbackEventRecord, FeedbackType } from './feedback-event.ts';

/** A fact_feedback row as the shared event record (what shippers send): flags as a list. */
export function toFeedbackEventRecord(row: FeedbackRow): FeedbackEventRecord {
  return {
    feedbackId: row.feedbackId,
    eventId: row.eventId,
    recommendationId: row.recommendationId,
    userId: row.userId,
    serviceId: row.serviceId,
    type: row.type as FeedbackType,
    at: row.at,
    receivedAt: row.receivedAt,
    attribution: row.attribution as Attribution,
    modelName: row.modelName,
    modelVersion: row.modelVersion,
    basis: row.basis,
    rank: row.rank,
    flags: row.flags === '' ? [] : row.flags.split(','),
  };
}
