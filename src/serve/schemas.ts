/**
 * JSON schemas of the API's routes, written once: request validation, response serialisation, the handlers'
 * types (through the json-schema-to-ts type provider) and the OpenAPI document (/openapi.json, /docs).
 */
import { WarningCode } from '../registry/index.ts';

export const MAX_K = 100;

/** Ids hold no line break or other control character (the landing files quarantine such ids as BAD_ID too). */
export const NO_CONTROL_PATTERN = '^[^\\u0000-\\u001f\\u007f]*$';
const id = { type: 'string', minLength: 1, maxLength: 200, pattern: NO_CONTROL_PATTERN } as const;
const k = { type: 'integer', minimum: 1, maximum: MAX_K, default: 10 } as const;
/** A query string that takes nothing: unknown parameters are refused on every route. */
export const noQuery = { type: 'object', additionalProperties: false, properties: {} } as const;

export const problemSchema = {
  type: 'object',
  additionalProperties: false,
  description: 'An RFC 9457 problem document (application/problem+json)',
  properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' }, code: { type: 'string' } },
  required: ['type', 'title', 'status', 'detail', 'code'],
} as const;

const problems = { 400: problemSchema, 401: problemSchema, 404: problemSchema, 503: problemSchema } as const;

const modelRef = {
  type: 'object',
  additionalProperties: false,
  properties: { kind: { type: 'string' }, version: { type: 'string' }, name: { type: ['string', 'null'] }, registry_version: { type: ['integer', 'null'] } },
  required: ['kind', 'version', 'name', 'registry_version'],
} as const;

/** One entry of a served list. */
export const itemSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    rank: { type: 'integer' },
    service_id: { type: 'string' },
    name: { type: ['string', 'null'], description: 'null when the warehouse has no row for the service' },
    category: { type: ['string', 'null'] },
    score: { type: 'number' },
  },
  required: ['rank', 'service_id', 'name', 'category', 'score'],
} as const;

const warnings = {
  type: 'array',
  description: 'why the list is not what was asked for (empty when it is): an unknown or empty filter, unknown services, a stale catalog…',
  items: {
    type: 'object',
    additionalProperties: false,
    properties: { code: { type: 'string', enum: Object.values(WarningCode) }, message: { type: 'string' } },
    required: ['code', 'message'],
  },
} as const;

/** What a list is based on. */
export const listBasisSchema = {
  type: 'string',
  enum: ['model', 'popular', 'popular-in-region'],
  description:
    "'popular-in-region' or 'popular': the user has no history in the model (or is unknown to it), so the list is the most popular services in their region (when the warehouse knows it), else overall",
} as const;

const listFields = {
  recommendation_id: {
    type: 'string',
    description: 'a UUID (version 7: ids sort by the time the list was served); quote it when reporting feedback on this list',
  },
  basis: listBasisSchema,
  items: { type: 'array', items: itemSchema },
  warnings,
} as const;

const recommendationList = {
  type: 'object',
  additionalProperties: false,
  properties: { ...listFields, user_id: { type: ['string', 'null'] }, model: modelRef },
  required: ['recommendation_id', 'user_id', 'model', 'basis', 'items', 'warnings'],
} as const;

export const userRecommendationsSchema = {
  summary: "A user's top k services",
  tags: ['recommendations'],
  params: { type: 'object', properties: { userId: id }, required: ['userId'] },
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { k, category: id, region: id, exclude_seen: { type: 'boolean', default: true } },
  },
  response: { 200: recommendationList, ...problems },
} as const;

export const similarServicesSchema = {
  summary: 'Services similar to one service',
  tags: ['recommendations'],
  params: { type: 'object', properties: { serviceId: id }, required: ['serviceId'] },
  querystring: { type: 'object', additionalProperties: false, properties: { k } },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      properties: { service_id: { type: 'string' }, model: modelRef, items: { type: 'array', items: itemSchema } },
      required: ['service_id', 'model', 'items'],
    },
    ...problems,
  },
} as const;

export const foldInSchema = {
  summary: 'Recommendations for a user the model has not seen, from their recent reservations (fold-in)',
  description:
    'Models with the fold-in capability place the user from these reservations; the others answer with the most popular services (basis popular, with a FOLD_IN_UNSUPPORTED warning).',
  tags: ['recommendations'],
  querystring: noQuery,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['interactions'],
    properties: {
      interactions: {
        type: 'array',
        maxItems: 1000,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['service_id'],
          properties: {
            service_id: id,
            status: { type: 'string', enum: ['reserved', 'completed'], default: 'completed' },
            rating: { type: 'integer', minimum: 1, maximum: 5 },
          },
        },
      },
      k,
      category: id,
      region: id,
    },
  },
  response: { 200: recommendationList, ...problems },
} as const;

export function batchSchema(maxUsers: number) {
  return {
    summary: `Recommendations for up to ${maxUsers} users at once`,
    tags: ['recommendations'],
    querystring: noQuery,
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['user_ids'],
      properties: { user_ids: { type: 'array', minItems: 1, maxItems: maxUsers, items: id }, k },
    },
    response: {
      200: {
        type: 'object',
        additionalProperties: false,
        properties: {
          model: modelRef,
          results: {
            type: 'array',
            items: {
              type: 'object',
              additionalProperties: false,
              properties: { ...listFields, user_id: { type: 'string' } },
              required: ['recommendation_id', 'user_id', 'basis', 'items', 'warnings'],
            },
          },
        },
        required: ['model', 'results'],
      },
      ...problems,
    },
  } as const;
}

export const currentModelSchema = {
  summary: 'The model serving recommendations',
  tags: ['models'],
  querystring: noQuery,
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      properties: {
        ...modelRef.properties,
        alias: { type: ['string', 'null'] },
        prefix: { type: 'string' },
        loaded_at: { type: 'string' },
        load_seconds: { type: 'number' },
        users: { type: 'integer' },
        services: { type: 'integer' },
        params: { type: 'object', additionalProperties: true },
        catalog_read_at: { type: ['string', 'null'], description: 'when the service names, categories and regions were last read from the warehouse' },
      },
      required: [
        'kind',
        'version',
        'name',
        'registry_version',
        'alias',
        'prefix',
        'loaded_at',
        'load_seconds',
        'users',
        'services',
        'params',
        'catalog_read_at',
      ],
    },
    ...problems,
  },
} as const;

export const healthSchema = {
  summary: 'Liveness: the process answers',
  tags: ['operations'],
  querystring: noQuery,
  response: { 200: { type: 'object', additionalProperties: false, properties: { status: { type: 'string', enum: ['ok'] } }, required: ['status'] } },
} as const;

const readiness = {
  type: 'object',
  additionalProperties: false,
  properties: {
    status: { type: 'string', enum: ['ready', 'degraded', 'unavailable'], description: "'degraded': serving from memory while the database is away" },
    model: { type: 'boolean', description: 'a model is loaded' },
    database: { type: 'boolean', description: 'the database file or server is the one opened, and a query of its schema works' },
    database_error: { type: 'string' },
    last_model_error: { type: 'string', description: 'why the model the registry names now could not be loaded (the previous one is still served)' },
  },
  required: ['status', 'model', 'database'],
} as const;

export const readySchema = {
  summary: 'Readiness: a model is loaded (200, ready or degraded) or not (503)',
  tags: ['operations'],
  querystring: noQuery,
  response: { 200: readiness, 503: readiness },
} as const;

export const metricsSchema = {
  summary: 'Prometheus metrics (text exposition format)',
  tags: ['operations'],
  querystring: noQuery,
  produces: ['text/plain'],
  response: {
    200: {
      type: 'string',
      description:
        'pickwise_http_requests_total, pickwise_http_request_duration_seconds, pickwise_recommendations_served_total, pickwise_feedback_events_total, pickwise_served_lists_{recorded,written,dropped}_total, pickwise_served_lists_pending, pickwise_model_load_seconds, pickwise_model_info and the process metrics',
    },
  },
} as const;

/** Events per feedback request, at most. */
export const MAX_FEEDBACK_EVENTS = 1000;

const feedbackEvent = {
  type: 'object',
  additionalProperties: false,
  required: ['event_id', 'user_id', 'service_id', 'type'],
  properties: {
    event_id: { ...id, description: "the client's idempotency key: the same event sent again is reported as duplicate and stored once" },
    recommendation_id: {
      ...id,
      description:
        'the list the reaction is to (recommendation_id of a served list); without it, the latest list that showed the service to the user within feedback.attributionWindow',
    },
    user_id: id,
    service_id: id,
    type: { type: 'string', enum: ['impression', 'select', 'cancel', 'reserve', 'complete'] },
    at: {
      type: 'string',
      minLength: 1,
      maxLength: 40,
      description: 'ISO-8601, when it happened (default: when received; later than now + feedback.maxClockSkew: stored at now, flagged CLOCK_CLAMPED)',
    },
  },
} as const;

const feedbackResult = {
  type: 'object',
  additionalProperties: false,
  required: ['event_id', 'status'],
  properties: {
    event_id: { type: 'string' },
    status: { type: 'string', enum: ['stored', 'duplicate', 'rejected'] },
    feedback_id: { type: 'integer' },
    attribution: { type: 'string', enum: ['list', 'window', 'none'] },
    flags: {
      type: 'array',
      items: { type: 'string' },
      description: 'what was odd about it: UNKNOWN_USER, UNKNOWN_SERVICE, UNKNOWN_RECOMMENDATION, NOT_IN_LIST, OTHER_USER, CLOCK_CLAMPED, NO_SELECT_TO_UNDO',
    },
    reason: {
      type: 'object',
      additionalProperties: false,
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

export const feedbackSchema = {
  summary: `Reactions to recommended services: one event, or up to ${MAX_FEEDBACK_EVENTS} as {events: [...]}`,
  description:
    'A 200 means every stored event is committed. Each event is stored, a duplicate of one stored before (same event_id), or rejected with a reason; a request with any invalid event is refused as a whole (400) and stores nothing.',
  tags: ['feedback'],
  querystring: noQuery,
  body: {
    type: 'object',
    if: { required: ['events'] },
    then: {
      type: 'object',
      additionalProperties: false,
      required: ['events'],
      properties: { events: { type: 'array', minItems: 1, maxItems: MAX_FEEDBACK_EVENTS, items: feedbackEvent } },
    },
    else: feedbackEvent,
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      required: ['stored', 'duplicates', 'rejected', 'results'],
      properties: {
        stored: { type: 'integer' },
        duplicates: { type: 'integer' },
        rejected: { type: 'integer' },
        results: { type: 'array', items: feedbackResult },
      },
    },
    ...problems,
  },
} as const;
