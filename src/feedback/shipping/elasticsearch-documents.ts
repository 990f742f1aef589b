import type { FeedbackEventRecord } from '../feedback-event.ts';

/** Bumped whenever the mappings below change, so an operator can tell which template a cluster holds. */
export const FEEDBACK_TEMPLATE_VERSION = 1;

const UTC_TEXT = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}:\d{2}:\d{2}\.\d{3})$/;

/** The document one feedback event becomes: snake_case fields, times as ISO-8601 UTC, `@timestamp` = when it happened. */
export interface FeedbackDocument {
  readonly '@timestamp': string;
  readonly event_id: string;
  readonly feedback_id: number;
  readonly recommendation_id: string | null;
  readonly user_id: string;
  readonly service_id: string;
  readonly type: string;
  readonly received_at: string;
  readonly attribution: string;
  readonly model_name: string | null;
  readonly model_version: number | null;
  readonly basis: string | null;
  readonly rank: number | null;
  readonly flags: readonly string[];
}

/** `YYYY-MM-DD HH:MM:SS.sss` (the warehouse's UTC text) → `YYYY-MM-DDTHH:MM:SS.sssZ`; undefined when it is not that shape. */
export function isoFromUtcText(text: string): string | undefined {
  const m = UTC_TEXT.exec(text);
  return m ? `${m[1]}-${m[2]}-${m[3]}T${m[4]}Z` : undefined;
}

/**
 * The daily index an event goes to, by the day it happened (UTC): `<prefix>-YYYY.MM.DD`. Daily indices keep each
 * index small and let retention drop whole days. Undefined when `at` is not the warehouse's UTC text.
 */
export function dailyIndexName(prefix: string, at: string): string | undefined {
  const m = UTC_TEXT.exec(at);
  return m ? `${prefix}-${m[1]}.${m[2]}.${m[3]}` : undefined;
}

/** The document for one event; undefined when one of its times is not the warehouse's UTC text. */
export function feedbackDocument(event: FeedbackEventRecord): FeedbackDocument | undefined {
  const at = isoFromUtcText(event.at);
  const receivedAt = isoFromUtcText(event.receivedAt);
  if (at === undefined || receivedAt === undefined) return undefined;
  return {
    '@timestamp': at,
    event_id: event.eventId,
    feedback_id: event.feedbackId,
    recommendation_id: event.recommendationId,
    user_id: event.userId,
    service_id: event.serviceId,
    type: event.type,
    received_at: receivedAt,
    attribution: event.attribution,
    model_name: event.modelName,
    model_version: event.modelVersion,
    basis: event.basis,
    rank: event.rank,
    flags: event.flags,
  };
}

const keyword = { type: 'keyword' } as const;

/**
 * The composable index template for `<prefix>-*`: explicit mappings (ids and codes as keywords, times as dates,
 * numbers as numbers) with `dynamic: strict`, so a field pickwise did not plan for is refused instead of being
 * guessed (a guessed mapping cannot be changed later without reindexing). Priority 200 puts it above the
 * built-in templates (100) that could otherwise match a name such as `logs-*`.
 */
export function feedbackIndexTemplate(prefix: string): {
  readonly name: string;
  readonly index_patterns: string[];
  readonly priority: number;
  readonly version: number;
  readonly _meta: Record<string, string>;
  readonly template: { readonly mappings: Record<string, unknown> };
} {
  return {
    name: prefix,
    index_patterns: [`${prefix}-*`],
    priority: 200,
    version: FEEDBACK_TEMPLATE_VERSION,
    _meta: { managed_by: 'pickwise', description: 'feedback events shipped from the pickwise warehouse' },
    template: {
      mappings: {
        dynamic: 'strict',
        properties: {
          '@timestamp': { type: 'date' },
          event_id: keyword,
          feedback_id: { type: 'long' },
          recommendation_id: keyword,
          user_id: keyword,
          service_id: keyword,
          type: keyword,
          received_at: { type: 'date' },
          attribution: keyword,
          model_name: keyword,
          model_version: { type: 'integer' },
          basis: keyword,
          rank: { type: 'integer' },
          flags: keyword,
        },
      },
    },
  };
}
