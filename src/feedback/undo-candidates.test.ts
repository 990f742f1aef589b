import { describe, expect, it } from 'vitest';
import type { FeedbackRepo } from '../warehouse/index.ts';
import { UndoCandidates } from './undo-candidates.ts';

const T = (minute: number) => `2026-03-02 10:0${minute}:00.000`;

/** A repo that answers the one look-up with `stored` selects and records what it was asked. */
function repoWith(stored: { feedbackId: number; userId: string; serviceId: string; at: string }[]) {
  const asked: unknown[] = [];
  const repo = {
    selectsToUndo: async (o: unknown) => {
      asked.push(o);
      return stored;
    },
  } as unknown as FeedbackRepo;
  return { repo, asked };
}

describe('UndoCandidates', () => {
  it('asks once for the pairs of the cancels, up to the latest cancel, and nothing without cancels', async () => {
    const { repo, asked } = repoWith([]);
    await UndoCandidates.load(repo, { events: [{ user_id: 'U1', service_id: 'S1', type: 'select' }], times: [{ text: T(1) }] });
    expect(asked).toEqual([]);
    await UndoCandidates.load(repo, {
      events: [
        { user_id: 'U1', service_id: 'S1', type: 'cancel' },
        { user_id: 'U2', service_id: 'S1', type: 'select' },
        { user_id: 'U2', service_id: 'S2', type: 'cancel' },
      ],
      times: [{ text: T(3) }, { text: T(9) }, { text: T(5) }],
    });
    expect(asked).toEqual([
      {
        pairs: [
          { userId: 'U1', serviceId: 'S1' },
          { userId: 'U2', serviceId: 'S2' },
        ],
        atOrBefore: T(5),
      },
    ]);
  });

  it('gives each cancel the latest select at or before it, once; same time: the batch before the stored, the later before the earlier', async () => {
    const { repo } = repoWith([
      { feedbackId: 10, userId: 'U1', serviceId: 'S1', at: T(1) },
      { feedbackId: 11, userId: 'U1', serviceId: 'S1', at: T(3) },
      { feedbackId: 12, userId: 'U1', serviceId: 'S1', at: T(3) },
    ]);
    const pair = { user_id: 'U1', service_id: 'S1', type: 'cancel' };
    const undo = await UndoCandidates.load(repo, { events: [pair], times: [{ text: T(9) }] });
    undo.addBatchSelect({ userId: 'U1', serviceId: 'S1', at: T(3), index: 4 });
    undo.addBatchSelect({ userId: 'U1', serviceId: 'S1', at: T(3), index: 6 });
    undo.addBatchSelect({ userId: 'U9', serviceId: 'S1', at: T(3), index: 7 }); // no cancel of that pair: not kept
    const take = (minute: number) => undo.take({ userId: 'U1', serviceId: 'S1', at: T(minute) });
    expect(take(0)).toBeUndefined();
    expect(take(2)).toEqual({ at: T(1), feedbackId: 10 });
    expect([take(4), take(4), take(4), take(4), take(4)]).toEqual([
      { at: T(3), index: 6 },
      { at: T(3), index: 4 },
      { at: T(3), feedbackId: 12 },
      { at: T(3), feedbackId: 11 },
      undefined,
    ]);
    expect(undo.take({ userId: 'U9', serviceId: 'S1', at: T(9) })).toBeUndefined();
  });
});
