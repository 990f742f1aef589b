import type { FeedbackRepo } from '../warehouse/index.ts';

/** A select a cancel may undo: stored before the batch (its feedback_id), or earlier in the batch (its index there). */
export type UndoCandidate = { readonly at: string; readonly feedbackId: number } | { readonly at: string; readonly index: number };

/**
 * The selects the cancels of one batch may undo, per (user, service): those stored before the batch that no cancel
 * undoes yet, read in one look-up for the whole batch, and the batch's own selects as they are accepted. Each cancel
 * takes the latest one at or before its time (ties: the later stored, so a select of this batch before one stored
 * earlier, and among the batch's own the later in the batch), so several cancels of one pair undo its selects
 * newest first, each once. This is what a look-up per cancel after writing everything before it would find.
 */
export class UndoCandidates {
  readonly #byPair = new Map<string, UndoCandidate[]>();

  /** The stored candidates for the cancels among `events` (time `times[i]`), one statement per 500 pairs. */
  static async load(
    repo: FeedbackRepo,
    o: { events: readonly { user_id: string; service_id: string; type: string }[]; times: readonly { text: string }[] },
  ): Promise<UndoCandidates> {
    const candidates = new UndoCandidates();
    const cancels = [...o.events.keys()].filter((i) => o.events[i]!.type === 'cancel');
    if (cancels.length === 0) return candidates;
    const latest = cancels.map((i) => o.times[i]!.text).reduce((a, b) => (b > a ? b : a));
    const pairs = cancels.map((i) => ({ userId: o.events[i]!.user_id, serviceId: o.events[i]!.service_id }));
    for (const p of pairs) candidates.#list(pairKey(p.userId, p.serviceId)); // the pairs whose batch selects count
    for (const s of await repo.selectsToUndo({ pairs, atOrBefore: latest }))
      candidates.#list(pairKey(s.userId, s.serviceId)).push({ at: s.at, feedbackId: s.feedbackId });
    return candidates;
  }

  /** A select of this batch, accepted for storing (at `index` of the batch): a candidate for the cancels after it. */
  addBatchSelect(o: { userId: string; serviceId: string; at: string; index: number }): void {
    const list = this.#byPair.get(pairKey(o.userId, o.serviceId));
    if (list) list.push({ at: o.at, index: o.index }); // only pairs with a cancel in the batch need them
  }

  /** The select a cancel of `userId`'s `serviceId` at `at` undoes, no longer a candidate for later cancels; undefined when none. */
  take(o: { userId: string; serviceId: string; at: string }): UndoCandidate | undefined {
    const list = this.#byPair.get(pairKey(o.userId, o.serviceId));
    if (!list) return undefined;
    let best = -1;
    for (const [i, c] of list.entries()) if (c.at <= o.at && (best < 0 || later(c, list[best]!))) best = i;
    return best < 0 ? undefined : list.splice(best, 1)[0];
  }

  #list(key: string): UndoCandidate[] {
    let list = this.#byPair.get(key);
    if (!list) this.#byPair.set(key, (list = []));
    return list;
  }
}

const pairKey = (userId: string, serviceId: string) => `${userId}\n${serviceId}`;

/** Whether `a` comes after `b` in the order of (at, feedback_id): a select of the batch gets a higher id than any stored one. */
function later(a: UndoCandidate, b: UndoCandidate): boolean {
  if (a.at !== b.at) return a.at > b.at;
  if ('index' in a) return 'index' in b ? a.index > b.index : true;
  return 'index' in b ? false : a.feedbackId > b.feedbackId;
}
