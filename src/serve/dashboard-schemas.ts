/**
 * JSON schemas of the dashboard's data routes (`/v1/dashboard/*`): validation of their ranges, serialisation of
 * their answers and their part of the OpenAPI document. Numbers are null where there is nothing to divide by.
 */
import { FUNNEL_TYPES } from '../monitoring/index.ts';
import { problemSchema } from './schemas.ts';

const problems = { 400: problemSchema, 401: problemSchema, 503: problemSchema } as const;
const rateOrNull = { type: ['number', 'null'] } as const;
const count = { type: 'integer' } as const;
const nameOrNull = { type: ['string', 'null'], description: 'null for events attributed to no list (or lists without a registry name)' } as const;
const versionOrNull = { type: ['integer', 'null'] } as const;
const isoOrNull = { type: ['string', 'null'], format: 'date-time' } as const;
const tags = ['dashboard'];

const offline = {
  type: 'object',
  additionalProperties: false,
  description: "the version's training run: NDCG@k on the hold-out split and its lift over the popularity baseline in percent",
  properties: { ndcgAt10: rateOrNull, liftOverPopularity: rateOrNull },
  required: ['ndcgAt10', 'liftOverPopularity'],
} as const;

const summaryRow = {
  type: 'object',
  additionalProperties: false,
  properties: {
    model: nameOrNull,
    version: versionOrNull,
    basis: { type: ['string', 'null'] },
    impressions: count,
    selects: count,
    cancels: count,
    reserves: count,
    completes: count,
    selectRate: { ...rateOrNull, description: 'selects / impressions' },
    cancelRate: { ...rateOrNull, description: 'cancels / selects' },
    netSatisfaction: { ...rateOrNull, description: '(selects − cancels) / (selects + cancels)' },
    unattributedShare: { ...rateOrNull, description: 'events attributed to no list / events' },
    lists: count,
    items: count,
    coverage: { ...rateOrNull, description: "distinct services the version showed on the window's days / services in the catalogue" },
    fallbackShare: { ...rateOrNull, description: "the version's lists answered by the popularity fallback / its lists" },
    offline: { anyOf: [offline, { type: 'null' }] },
    serving: { type: 'boolean' },
  },
  required: [
    'model',
    'version',
    'basis',
    'impressions',
    'selects',
    'cancels',
    'reserves',
    'completes',
    'selectRate',
    'cancelRate',
    'netSatisfaction',
    'unattributedShare',
    'lists',
    'items',
    'coverage',
    'fallbackShare',
    'offline',
    'serving',
  ],
} as const;

const window = <const V extends readonly string[]>(values: V, description: string) => ({ type: 'string', enum: values, description }) as const;

export const dashboardSummarySchema = {
  summary: 'Online metrics per model version and basis over a window',
  description: 'Whole UTC hours up to and including the current one (1h = the current hour), read from the hourly rollups.',
  tags,
  querystring: { type: 'object', additionalProperties: false, properties: { window: window(['1h', '24h', '7d'], 'default 24h') } },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      properties: { window: { type: 'string' }, generatedAt: { type: 'string', format: 'date-time' }, rows: { type: 'array', items: summaryRow } },
      required: ['window', 'generatedAt', 'rows'],
    },
    ...problems,
  },
} as const;

const point = {
  type: 'object',
  additionalProperties: false,
  properties: {
    t: { type: 'string', format: 'date-time', description: 'start of the hour or day (UTC)' },
    impressions: count,
    selects: count,
    cancels: count,
    selectRate: rateOrNull,
    cancelRate: rateOrNull,
    netSatisfaction: rateOrNull,
  },
  required: ['t', 'impressions', 'selects', 'cancels', 'selectRate', 'cancelRate', 'netSatisfaction'],
} as const;

export const dashboardSatisfactionSchema = {
  summary: 'Satisfaction per model version over time',
  description: 'Per hour or day, over a window or from … to (ISO 8601, at most 90 days; both or neither). Buckets without events are left out.',
  tags,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: {
      window: window(['24h', '7d', '30d'], 'default 24h; not with from/to'),
      bucket: { type: 'string', enum: ['hour', 'day'], default: 'hour' },
      from: { type: 'string', minLength: 1, maxLength: 40, description: 'ISO 8601 time, with to' },
      to: { type: 'string', minLength: 1, maxLength: 40, description: 'ISO 8601 time, with from' },
    },
  },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      properties: {
        window: { type: ['string', 'null'], description: 'null when from/to were given' },
        bucket: { type: 'string' },
        from: { type: 'string', format: 'date-time' },
        to: { type: 'string', format: 'date-time', description: 'start of the last hour included' },
        series: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: { model: nameOrNull, version: versionOrNull, points: { type: 'array', items: point } },
            required: ['model', 'version', 'points'],
          },
        },
      },
      required: ['window', 'bucket', 'from', 'to', 'series'],
    },
    ...problems,
  },
} as const;

const steps = {
  type: 'array',
  items: {
    type: 'object',
    additionalProperties: false,
    properties: { type: { type: 'string', enum: FUNNEL_TYPES }, events: count },
    required: ['type', 'events'],
  },
} as const;

export const dashboardFunnelSchema = {
  summary: 'Events by type (impression → select → cancel, reserve, complete), overall and per model version',
  tags,
  querystring: { type: 'object', additionalProperties: false, properties: { window: window(['1h', '24h', '7d'], 'default 24h') } },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      properties: {
        window: { type: 'string' },
        steps,
        byModel: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: { model: nameOrNull, version: versionOrNull, steps },
            required: ['model', 'version', 'steps'],
          },
        },
      },
      required: ['window', 'steps', 'byModel'],
    },
    ...problems,
  },
} as const;

const hoursOrNull = { type: ['number', 'null'] } as const;

export const dashboardPipelineSchema = {
  summary: 'Pipeline health: the last ingest, data and feature freshness, model ages, tuning studies running',
  description: 'The last ingest is the ledger entries seen within the hour before the newest one.',
  tags,
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      properties: {
        lastIngest: {
          anyOf: [
            {
              type: 'object',
              additionalProperties: false,
              properties: {
                at: isoOrNull,
                files: count,
                rows: { ...count, description: 'rows loaded' },
                rejectedRows: count,
                rejectedByReason: { type: 'object', additionalProperties: { type: 'integer' }, description: 'reject code → rows' },
                quarantined: { ...count, description: 'files whose rejected rows went to quarantine' },
                failed: { ...count, description: 'files whose load failed' },
              },
              required: ['at', 'files', 'rows', 'rejectedRows', 'rejectedByReason', 'quarantined', 'failed'],
            },
            { type: 'null' },
          ],
        },
        dataAgeHours: { ...hoursOrNull, description: 'hours since the newest reservation' },
        newestReservationAt: isoOrNull,
        featureSnapshotAgeHours: hoursOrNull,
        models: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: { name: { type: 'string' }, version: count, ageHours: hoursOrNull },
            required: ['name', 'version', 'ageHours'],
          },
        },
        tuningStudiesRunning: count,
      },
      required: ['lastIngest', 'dataAgeHours', 'newestReservationAt', 'featureSnapshotAgeHours', 'models', 'tuningStudiesRunning'],
    },
    ...problems,
  },
} as const;

export const dashboardRegistrySchema = {
  summary: 'Registered models: versions with offline metrics, aliases, and who promoted what and why',
  tags,
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      properties: {
        models: {
          type: 'array',
          items: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { type: 'string' },
              versions: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { version: count, status: { type: 'string' }, createdAt: isoOrNull, metrics: offline },
                  required: ['version', 'status', 'createdAt', 'metrics'],
                },
              },
              aliases: {
                type: 'array',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: { alias: { type: 'string' }, version: count },
                  required: ['alias', 'version'],
                },
              },
              events: {
                type: 'array',
                description: 'newest first',
                items: {
                  type: 'object',
                  additionalProperties: false,
                  properties: {
                    at: isoOrNull,
                    action: { type: 'string' },
                    version: versionOrNull,
                    alias: { type: ['string', 'null'] },
                    actor: { type: 'string' },
                    reason: { type: 'string' },
                  },
                  required: ['at', 'action', 'version', 'alias', 'actor', 'reason'],
                },
              },
            },
            required: ['name', 'versions', 'aliases', 'events'],
          },
        },
      },
      required: ['models'],
    },
    ...problems,
  },
} as const;

export const dashboardLatencySchema = {
  summary: "The API's request rate, latency percentiles, errors, model swaps and failed loads (pickwise serve only)",
  description: 'From the serving process\'s own samples, whole minutes up to now. Elsewhere (pickwise dashboard): { "available": false, "reason" }.',
  tags,
  querystring: { type: 'object', additionalProperties: false, properties: { window: window(['1h', '24h'], 'default 1h') } },
  response: {
    200: {
      type: 'object',
      additionalProperties: false,
      properties: {
        available: { type: 'boolean' },
        reason: { type: 'string' },
        window: { type: 'string' },
        responses: count,
        ratePerSecond: { type: 'number' },
        p50Ms: rateOrNull,
        p95Ms: rateOrNull,
        p99Ms: rateOrNull,
        errors: count,
        errorRate: rateOrNull,
        modelSwaps: count,
        failedLoads: count,
      },
      required: ['available'],
    },
    ...problems,
  },
} as const;
