import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import type { FeedbackEventRecord } from '../feedback-event.ts';
import type { FeedbackOutbox } from './feedback-outbox.ts';
import { feedbackEvent } from '../../../test/support/feedback-events.ts';

/** What a contract run needs from an adapter's test: an outbox holding exactly `events`, and a way to dispose of it. */
export type FeedbackOutboxFactory = (events: readonly FeedbackEventRecord[]) => Promise<{ outbox: FeedbackOutbox; cleanup(): Promise<void> }>;

/** The one behavioural suite every {@link FeedbackOutbox} adapter must pass. */
export function runFeedbackOutboxContract(name: string, factory: FeedbackOutboxFactory): void {
  describe(`FeedbackOutbox contract: ${name}`, () => {
    let cleanup: (() => Promise<void>) | undefined;
    const open = async (events: readonly FeedbackEventRecord[]) => {
      const opened = await factory(events);
      cleanup = opened.cleanup;
      return opened.outbox;
    };
    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });

    it('reads nothing from an empty outbox', async () => {
      const outbox = await open([]);
      expect(await outbox.read(0, 10)).toEqual([]);
    });

    it('reads every field of an event as stored', async () => {
      const event = feedbackEvent(7, {
        recommendationId: 'rec-1',
        attribution: 'list',
        modelName: 'als',
        modelVersion: 3,
        basis: 'model',
        rank: 2,
        flags: ['UNKNOWN_USER', 'CLOCK_CLAMPED'],
      });
      const outbox = await open([event, feedbackEvent(8)]);
      expect(await outbox.read(0, 1)).toEqual([event]);
    });

    it('reads after a position, in feedbackId order, at most limit events, across gaps', async () => {
      const outbox = await open([1, 2, 5, 9, 10, 11].map((id) => feedbackEvent(id)));
      expect((await outbox.read(0, 3)).map((e) => e.feedbackId)).toEqual([1, 2, 5]);
      expect((await outbox.read(2, 3)).map((e) => e.feedbackId)).toEqual([5, 9, 10]);
      expect((await outbox.read(3, 100)).map((e) => e.feedbackId)).toEqual([5, 9, 10, 11]);
      expect(await outbox.read(11, 100)).toEqual([]);
      expect(await outbox.read(500, 100)).toEqual([]);
    });

    it('pages through everything exactly once when each read starts after the last id read', async () => {
      const ids = Array.from({ length: 23 }, (_, i) => i * 2 + 1);
      const outbox = await open(ids.map((id) => feedbackEvent(id)));
      const seen: number[] = [];
      for (let after = 0, guard = 0; guard < 100; guard++) {
        const page = await outbox.read(after, 5);
        if (page.length === 0) break;
        seen.push(...page.map((e) => e.feedbackId));
        after = page[page.length - 1]!.feedbackId;
      }
      expect(seen).toEqual(ids);
    });

    it('refuses a limit or position that is not a non-negative integer, with a clear error', async () => {
      const outbox = await open([feedbackEvent(1)]);
      await expect(outbox.read(0, 0)).rejects.toThrow(ValidationError);
      await expect(outbox.read(0, 1.5)).rejects.toThrow(/limit must be a positive integer/);
      await expect(outbox.read(-1, 10)).rejects.toThrow(/non-negative integer/);
    });
  });
}
