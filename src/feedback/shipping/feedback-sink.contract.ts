import { afterEach, describe, expect, it } from 'vitest';
import { feedbackEvent } from '../../../test/support/feedback-events.ts';
import type { FeedbackSink } from './feedback-sink.ts';

/** What a contract run needs from an adapter's test: a fresh, empty sink and a way to dispose of it. */
export type FeedbackSinkFactory = () => Promise<{ sink: FeedbackSink; cleanup(): Promise<void> }>;

/** The one behavioural suite every {@link FeedbackSink} adapter must pass. */
export function runFeedbackSinkContract(name: string, factory: FeedbackSinkFactory): void {
  describe(`FeedbackSink contract: ${name}`, () => {
    let sink: FeedbackSink;
    let cleanup: () => Promise<void>;
    const open = async () => {
      ({ sink, cleanup } = await factory());
      return sink;
    };
    afterEach(async () => {
      await sink.close();
      await cleanup();
    });

    it('answers an empty batch without a request', async () => {
      expect(await (await open()).deliver([])).toEqual({ deliveries: [], attempts: 0 });
    });

    it('creates each new event, answering one outcome per event in order', async () => {
      const events = [3, 1, 2].map((id) => feedbackEvent(id));
      const report = await (await open()).deliver(events);
      expect(report.deliveries).toEqual(events.map((e) => ({ feedbackId: e.feedbackId, eventId: e.eventId, status: 'created' })));
      expect(report.attempts).toBeGreaterThanOrEqual(1);
    });

    it('reports an event sent again as a duplicate, beside new ones', async () => {
      const s = await open();
      await s.deliver([feedbackEvent(1), feedbackEvent(2)]);
      const report = await s.deliver([feedbackEvent(2), feedbackEvent(3), feedbackEvent(1)]);
      expect(report.deliveries.map((d) => [d.eventId, d.status])).toEqual([
        ['evt-2', 'duplicate'],
        ['evt-3', 'created'],
        ['evt-1', 'duplicate'],
      ]);
    });

    it('recognises a duplicate by eventId, whatever its feedbackId', async () => {
      const s = await open();
      await s.deliver([feedbackEvent(1, { eventId: 'client-key-1' })]);
      const report = await s.deliver([feedbackEvent(9, { eventId: 'client-key-1' })]);
      expect(report.deliveries).toEqual([{ feedbackId: 9, eventId: 'client-key-1', status: 'duplicate' }]);
    });
  });
}
