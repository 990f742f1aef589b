import type { Insertable } from 'kysely';
import type { FeedbackEventRecord } from '../../src/feedback/feedback-event.ts';
import type { FactFeedbackTable } from '../../src/warehouse/index.ts';

/**
 * A stored feedback event with plausible defaults, for tests of the shipping side (contract suites, the shipper,
 * the Elasticsearch sink). Day 2026-03-0N for feedbackId N unless `at` is given.
 */
export function feedbackEvent(feedbackId: number, overrides: Partial<FeedbackEventRecord> = {}): FeedbackEventRecord {
  return {
    feedbackId,
    eventId: `evt-${feedbackId}`,
    recommendationId: null,
    userId: `U${String(feedbackId % 97).padStart(7, '0')}`,
    serviceId: `S${String(feedbackId % 31).padStart(6, '0')}`,
    type: 'select',
    at: '2026-03-01 09:30:00.000',
    receivedAt: '2026-03-01 09:30:01.250',
    attribution: 'none',
    modelName: null,
    modelVersion: null,
    basis: null,
    rank: null,
    flags: [],
    ...overrides,
  };
}

/** A fact_feedback row as the store path inserts it (an unattributed impression), for tests and benches of the insert. */
export function storedFeedbackRow({ eventId, ...overrides }: Partial<Insertable<FactFeedbackTable>> & { eventId: string }): Insertable<FactFeedbackTable> {
  return {
    eventId,
    recommendationId: null,
    userId: 'U0000001',
    serviceId: 'S000001',
    userKey: null,
    serviceKey: null,
    dateKey: 20260302,
    type: 'impression',
    at: '2026-03-02 10:00:00.000',
    receivedAt: '2026-03-02 10:00:00.000',
    attribution: 'none',
    modelName: null,
    modelVersion: null,
    basis: null,
    rank: null,
    flags: '',
    undoesFeedbackId: null,
    ...overrides,
  };
}
