import { describe, expect, it } from 'vitest';
import { runFeedbackOutboxContract } from './feedback-outbox.contract.ts';
import { feedbackEvent } from '../../../test/support/feedback-events.ts';
import { MemoryFeedbackOutbox } from './memory-feedback-outbox.ts';

runFeedbackOutboxContract('MemoryFeedbackOutbox', async (events) => ({ outbox: new MemoryFeedbackOutbox(events), cleanup: async () => {} }));

describe('MemoryFeedbackOutbox', () => {
  it('refuses an event whose feedbackId does not increase', () => {
    const outbox = new MemoryFeedbackOutbox([feedbackEvent(3)]);
    expect(() => outbox.add(feedbackEvent(3))).toThrow(/does not increase \(the last is 3\)/);
    expect(() => outbox.add(feedbackEvent(0))).toThrow(/does not increase/);
  });
});
