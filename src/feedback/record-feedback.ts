import { parseIsoTimestamp } from '../preprocess/index.ts';
import { quoteInput, toUtcText, ValidationError } from '../shared/index.ts';
import type { Insertable } from 'kysely';
import type { FactFeedbackTable, FeedbackRepo, ListRef, StoredEventKey } from '../warehouse/index.ts';
import type { Attribution, FeedbackType } from './feedback-event.ts';
import { UndoCandidates } from './undo-candidates.ts';

/** One reaction as a client reports it (POST /v1/feedback). */
export interface FeedbackInput {
  readonly event_id: string;
  readonly recommendation_id?: string | undefined;
  readonly user_id: string;
  readonly service_id: string;
  readonly type: FeedbackType;
  /** ISO-8601; when it happened (default: when it is received). */
  readonly at?: string | undefined;
}

/** Stable codes of what was odd about a stored event. */
export const FeedbackFlag = {
  /** dim_user has no such user (yet): user_key is null. */
  UNKNOWN_USER: 'UNKNOWN_USER',
  /** dim_service has no such service (yet): service_key is null. */
  UNKNOWN_SERVICE: 'UNKNOWN_SERVICE',
  /** No list was served under this recommendation_id. */
  UNKNOWN_RECOMMENDATION: 'UNKNOWN_RECOMMENDATION',
  /** The list named by recommendation_id did not show this service. */
  NOT_IN_LIST: 'NOT_IN_LIST',
  /** The list named by recommendation_id was served to another user. */
  OTHER_USER: 'OTHER_USER',
  /** `at` was later than now + feedback.maxClockSkew: stored at now. */
  CLOCK_CLAMPED: 'CLOCK_CLAMPED',
  /** A cancel with no earlier select of the same service by the same user to undo. */
  NO_SELECT_TO_UNDO: 'NO_SELECT_TO_UNDO',
} as const;

/** Why an event was refused while the others of its batch were stored. */
export const FeedbackRejection = {
  /** The event_id is stored already for a different event (user, service, type or list): ids must not be reused. */
  EVENT_ID_REUSED: 'EVENT_ID_REUSED',
} as const;

/** What became of one event of a request. */
export type FeedbackOutcome =
  | { readonly event_id: string; readonly status: 'stored'; readonly feedback_id: number; readonly attribution: Attribution; readonly flags: string[] }
  | { readonly event_id: string; readonly status: 'duplicate'; readonly feedback_id: number }
  | { readonly event_id: string; readonly status: 'rejected'; readonly reason: { readonly code: string; readonly message: string } };

export interface RecordFeedbackOptions {
  /** A repo on the warehouse; the whole batch is stored in one transaction of it. */
  readonly repo: FeedbackRepo;
  readonly events: readonly FeedbackInput[];
  readonly now: Date;
  /** Seconds before an event in which the latest list showing its service to its user is its list. */
  readonly attributionWindow: number;
  /** Seconds an event's `at` may be ahead of `now` before it is clamped. */
  readonly maxClockSkew: number;
}

/**
 * Stores a batch of reactions in one transaction, each attributed to the list that caused it: the list named by
 * recommendation_id (flagged NOT_IN_LIST when that list did not show the service), else the latest list that showed
 * the service to the user within the attribution window, else none (kept). A cancel names the select it undoes. An
 * event_id already stored (or earlier in the batch) is a duplicate and changes nothing. Input the batch cannot be
 * stored with (a timestamp that is not one) throws a ValidationError before anything is written.
 */
export async function recordFeedback(o: RecordFeedbackOptions): Promise<FeedbackOutcome[]> {
  const receivedAt = toUtcText(o.now);
  const latest = o.now.getTime() + o.maxClockSkew * 1000;
  const times = o.events.map((e, i) => {
    if (e.at === undefined) return { text: receivedAt, clamped: false };
    const parsed = parseIsoTimestamp(e.at);
    if (typeof parsed === 'string') throw new ValidationError(`event ${i} (event_id ${quoteInput(e.event_id)}): at ${parsed}`);
    return parsed.epochMs > latest ? { text: receivedAt, clamped: true } : { text: parsed.text, clamped: false };
  });
  return o.repo.inTransaction(async (repo) => {
    const { events } = o;
    const stored = new Map<string, StoredEventKey>((await repo.storedEvents(events.map((e) => e.event_id))).map((s) => [s.eventId, s]));
    const userKeys = await repo.userKeys(events.map((e) => e.user_id));
    const serviceKeys = await repo.serviceKeys(events.map((e) => e.service_id));
    const named = events.flatMap((e) => (e.recommendation_id === undefined ? [] : [e.recommendation_id]));
    const lists = new Map((await repo.lists(named)).map((l) => [l.recommendationId, l]));
    const ranks = new Map<string, number>();
    for (const i of await repo.impressions([...lists.keys()]))
      if (!ranks.has(`${i.recommendationId}\n${i.serviceId}`)) ranks.set(`${i.recommendationId}\n${i.serviceId}`, i.rank);
    const windows = await windowCandidates(repo, { events, times, lists, windowSeconds: o.attributionWindow });
    await repo.ensureDates(times.map((t) => dateKeyOf(t.text)));
    const undo = await UndoCandidates.load(repo, { events, times });

    const outcomes: (FeedbackOutcome | undefined)[] = new Array(events.length);
    /** First occurrence in this batch of each event_id not stored before. */
    const firstInBatch = new Map<string, number>();
    const duplicatesOf: [index: number, first: number][] = [];
    let pending: { index: number; row: Insertable<FactFeedbackTable> }[] = [];
    const writePending = async () => {
      if (pending.length === 0) return;
      const batch = pending;
      pending = [];
      const ids = await repo.insertEvents(batch.map((b) => b.row));
      for (const { index, row } of batch) {
        // Not in the answer: a concurrent request stored one of its statement's events since they were looked up.
        // Each on its own then; one that lost the race is the winner's duplicate.
        const feedbackId = ids.get(row.eventId) ?? (await repo.insertEvent(row));
        const e = events[index]!;
        if (feedbackId === undefined) {
          const [winner] = await repo.storedEvents([e.event_id]);
          outcomes[index] = winner && sameEvent(winner, e) ? { event_id: e.event_id, status: 'duplicate', feedback_id: winner.feedbackId } : reused(e);
        } else {
          const flags = row.flags === '' ? [] : row.flags.split(',');
          outcomes[index] = { event_id: e.event_id, status: 'stored', feedback_id: feedbackId, attribution: row.attribution as Attribution, flags };
        }
      }
    };

    for (const [i, e] of events.entries()) {
      const previous = stored.get(e.event_id);
      if (previous !== undefined) {
        outcomes[i] = sameEvent(previous, e) ? { event_id: e.event_id, status: 'duplicate', feedback_id: previous.feedbackId } : reused(e);
        continue;
      }
      const first = firstInBatch.get(e.event_id);
      if (first !== undefined) {
        if (sameInput(events[first]!, e)) duplicatesOf.push([i, first]);
        else outcomes[i] = reused(e);
        continue;
      }
      firstInBatch.set(e.event_id, i);
      const at = times[i]!;
      const flags: string[] = [];
      if (at.clamped) flags.push(FeedbackFlag.CLOCK_CLAMPED);
      const userKey = userKeys.get(e.user_id) ?? null;
      const serviceKey = serviceKeys.get(e.service_id) ?? null;
      if (userKey === null) flags.push(FeedbackFlag.UNKNOWN_USER);
      if (serviceKey === null) flags.push(FeedbackFlag.UNKNOWN_SERVICE);
      const attributed = attribute({ event: e, lists, ranks, windowed: windows[i], flags });
      let undoes: number | null = null;
      if (e.type === 'cancel') {
        for (;;) {
          const c = undo.take({ userId: e.user_id, serviceId: e.service_id, at: at.text });
          if (c === undefined) break;
          if ('feedbackId' in c) {
            undoes = c.feedbackId;
            break;
          }
          // A select earlier in this batch: its feedback_id is known once it is written.
          if (outcomes[c.index] === undefined) await writePending();
          const select = outcomes[c.index]!;
          if (select.status !== 'rejected') {
            undoes = select.feedback_id;
            break;
          }
        }
        if (undoes === null) flags.push(FeedbackFlag.NO_SELECT_TO_UNDO);
      } else if (e.type === 'select') undo.addBatchSelect({ userId: e.user_id, serviceId: e.service_id, at: at.text, index: i });
      pending.push({
        index: i,
        row: {
          eventId: e.event_id,
          recommendationId: e.recommendation_id ?? attributed.list?.recommendationId ?? null,
          userId: e.user_id,
          serviceId: e.service_id,
          userKey,
          serviceKey,
          dateKey: dateKeyOf(at.text),
          type: e.type,
          at: at.text,
          receivedAt,
          attribution: attributed.attribution,
          modelName: attributed.list?.modelName ?? null,
          modelVersion: attributed.list?.registryVersion ?? null,
          basis: attributed.list?.basis ?? null,
          rank: attributed.rank,
          flags: flags.join(','),
          undoesFeedbackId: undoes,
        },
      });
    }
    await writePending();
    for (const [i, first] of duplicatesOf) {
      const original = outcomes[first]!;
      const e = events[i]!;
      outcomes[i] = original.status === 'rejected' ? original : { event_id: e.event_id, status: 'duplicate', feedback_id: original.feedback_id };
    }
    return outcomes as FeedbackOutcome[];
  });
}

/**
 * For each event that attribution by window may need (no recommendation_id, or one no list was served under):
 * the latest list within the window before it that showed its service to its user, from one query for the batch.
 */
async function windowCandidates(
  repo: FeedbackRepo,
  o: { events: readonly FeedbackInput[]; times: readonly { text: string }[]; lists: ReadonlyMap<string, ListRef>; windowSeconds: number },
): Promise<((ListRef & { rank: number }) | undefined)[]> {
  const result: ((ListRef & { rank: number }) | undefined)[] = new Array(o.events.length);
  const needed = [...o.events.keys()].filter((i) => {
    const id = o.events[i]!.recommendation_id;
    return id === undefined || !o.lists.has(id);
  });
  if (needed.length === 0) return result;
  const fromOf = (at: string) => toUtcText(new Date(Date.parse(`${at.replace(' ', 'T')}Z`) - o.windowSeconds * 1000));
  const ats = needed.map((i) => o.times[i]!.text).sort();
  const candidates = await repo.listsShowing({
    userIds: needed.map((i) => o.events[i]!.user_id),
    serviceIds: needed.map((i) => o.events[i]!.service_id),
    from: fromOf(ats[0]!),
    to: ats.at(-1)!,
  });
  // Newest first, then by rank: the first candidate in range is the one.
  const byPair = new Map<string, (ListRef & { serviceId: string; rank: number })[]>();
  for (const c of candidates) {
    const key = `${c.userId}\n${c.serviceId}`;
    const list = byPair.get(key);
    if (list) list.push(c);
    else byPair.set(key, [c]);
  }
  for (const i of needed) {
    const e = o.events[i]!;
    const at = o.times[i]!.text;
    const from = fromOf(at);
    const hit = byPair.get(`${e.user_id}\n${e.service_id}`)?.find((c) => c.createdAt <= at && c.createdAt >= from);
    if (hit) result[i] = hit;
  }
  return result;
}

function attribute(o: {
  event: FeedbackInput;
  lists: ReadonlyMap<string, ListRef>;
  ranks: ReadonlyMap<string, number>;
  windowed: (ListRef & { rank: number }) | undefined;
  flags: string[];
}): { attribution: Attribution; list?: ListRef; rank: number | null } {
  const { event } = o;
  if (event.recommendation_id !== undefined) {
    const list = o.lists.get(event.recommendation_id);
    if (list !== undefined) {
      if (list.userId !== null && list.userId !== event.user_id) o.flags.push(FeedbackFlag.OTHER_USER);
      const rank = o.ranks.get(`${list.recommendationId}\n${event.service_id}`);
      if (rank === undefined) o.flags.push(FeedbackFlag.NOT_IN_LIST);
      return { attribution: 'list', list, rank: rank ?? null };
    }
    o.flags.push(FeedbackFlag.UNKNOWN_RECOMMENDATION);
  }
  return o.windowed === undefined ? { attribution: 'none', rank: null } : { attribution: 'window', list: o.windowed, rank: o.windowed.rank };
}

/** Whether two events of one batch under the same event_id are the same event sent twice. */
function sameInput(a: FeedbackInput, b: FeedbackInput): boolean {
  return a.user_id === b.user_id && a.service_id === b.service_id && a.type === b.type && a.recommendation_id === b.recommendation_id;
}

/** Whether a stored event is this one again (a client's retry), not another event under the same id. */
function sameEvent(stored: StoredEventKey, e: FeedbackInput): boolean {
  const list = e.recommendation_id === undefined || e.recommendation_id === stored.recommendationId;
  return stored.userId === e.user_id && stored.serviceId === e.service_id && stored.type === e.type && list;
}

function reused(e: FeedbackInput): FeedbackOutcome {
  return {
    event_id: e.event_id,
    status: 'rejected',
    reason: {
      code: FeedbackRejection.EVENT_ID_REUSED,
      message: `event_id ${quoteInput(e.event_id)} is stored already for another event (user, service, type or recommendation_id differ): use a new id`,
    },
  };
}

/** yyyymmdd of warehouse UTC text. */
function dateKeyOf(text: string): number {
  return Number(text.slice(0, 4)) * 10_000 + Number(text.slice(5, 7)) * 100 + Number(text.slice(8, 10));
}
