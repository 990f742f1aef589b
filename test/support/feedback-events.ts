import type { FeedbackEventRecord } from '../../src/feedback/feedback-event.ts';

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
