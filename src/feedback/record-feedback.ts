import { parseIsoTimestamp } from '../preprocess/index.ts';
import { quoteInput, toUtcText, ValidationError } from '../shared/index.ts';
import type { FeedbackRepo, ListRef, StoredEventKey } from '../warehouse/index.ts';
import type { Attribution, FeedbackType } from './feedback-event.ts';

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
    const stored = new Map<string, StoredEventKey>((await repo.storedEvents(o.events.map((e) => e.event_id))).map((s) => [s.eventId, s]));
    const userKeys = await repo.userKeys(o.events.map((e) => e.user_id));
    const serviceKeys = await repo.serviceKeys(o.events.map((e) => e.service_id));
    const lists = new Map(
      (await repo.lists(o.events.flatMap((e) => (e.recommendation_id === undefined ? [] : [e.recommendation_id])))).map((l) => [l.recommendationId, l]),
    );
    await repo.ensureDates(times.map((t) => dateKeyOf(t.text)));
    const outcomes: FeedbackOutcome[] = [];
    for (const [i, e] of o.events.entries()) {
      const previous = stored.get(e.event_id);
      if (previous !== undefined) {
        outcomes.push(sameEvent(previous, e) ? { event_id: e.event_id, status: 'duplicate', feedback_id: previous.feedbackId } : reused(e));
        continue;
      }
      const at = times[i]!;
      const flags: string[] = [];
      if (at.clamped) flags.push(FeedbackFlag.CLOCK_CLAMPED);
      const userKey = userKeys.get(e.user_id) ?? null;
      const serviceKey = serviceKeys.get(e.service_id) ?? null;
      if (userKey === null) flags.push(FeedbackFlag.UNKNOWN_USER);
      if (serviceKey === null) flags.push(FeedbackFlag.UNKNOWN_SERVICE);
      const attributed = await attribute(repo, { event: e, at: at.text, lists, windowSeconds: o.attributionWindow, flags });
      let undoes: number | null = null;
      if (e.type === 'cancel') {
        undoes = (await repo.selectToUndo({ userId: e.user_id, serviceId: e.service_id, at: at.text })) ?? null;
        if (undoes === null) flags.push(FeedbackFlag.NO_SELECT_TO_UNDO);
      }
      const row = {
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
      };
      const feedbackId = await repo.insertEvent(row);
      if (feedbackId === undefined) {
        // Stored by a concurrent request since this one looked: a retry that raced its original.
        const [winner] = await repo.storedEvents([e.event_id]);
        outcomes.push(winner && sameEvent(winner, e) ? { event_id: e.event_id, status: 'duplicate', feedback_id: winner.feedbackId } : reused(e));
        continue;
      }
      stored.set(e.event_id, {
        feedbackId,
        eventId: e.event_id,
        userId: e.user_id,
        serviceId: e.service_id,
        type: e.type,
        recommendationId: row.recommendationId,
      });
      outcomes.push({ event_id: e.event_id, status: 'stored', feedback_id: feedbackId, attribution: attributed.attribution, flags });
    }
    return outcomes;
  });
}

async function attribute(
  repo: FeedbackRepo,
  o: { event: FeedbackInput; at: string; lists: ReadonlyMap<string, ListRef>; windowSeconds: number; flags: string[] },
): Promise<{ attribution: Attribution; list?: ListRef; rank: number | null }> {
  const { event } = o;
  if (event.recommendation_id !== undefined) {
    const list = o.lists.get(event.recommendation_id);
    if (list !== undefined) {
      if (list.userId !== null && list.userId !== event.user_id) o.flags.push(FeedbackFlag.OTHER_USER);
      const rank = await repo.rankIn(list.recommendationId, event.service_id);
      if (rank === undefined) o.flags.push(FeedbackFlag.NOT_IN_LIST);
      return { attribution: 'list', list, rank: rank ?? null };
    }
    o.flags.push(FeedbackFlag.UNKNOWN_RECOMMENDATION);
  }
  const from = toUtcText(new Date(Date.parse(`${o.at.replace(' ', 'T')}Z`) - o.windowSeconds * 1000));
  const shown = await repo.latestListShowing({ userId: event.user_id, serviceId: event.service_id, from, to: o.at });
  return shown === undefined ? { attribution: 'none', rank: null } : { attribution: 'window', list: shown, rank: shown.rank };
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
