/** JSON schemas of the API's routes: request validation and the OpenAPI document (/openapi.json, /docs). */

export const MAX_K = 100;

const id = { type: 'string', minLength: 1, maxLength: 200 } as const;
const k = { type: 'integer', minimum: 1, maximum: MAX_K, default: 10 } as const;

export const problemSchema = {
  type: 'object',
  properties: { type: { type: 'string' }, title: { type: 'string' }, status: { type: 'integer' }, detail: { type: 'string' } },
} as const;

const recommendationList = {
  type: 'object',
  properties: {
    recommendation_id: { type: 'string', description: 'quote it when reporting feedback on this list' },
    user_id: { type: ['string', 'null'] },
    model: { type: 'object', properties: { kind: { type: 'string' }, version: { type: 'string' }, name: { type: ['string', 'null'] }, registry_version: { type: ['integer', 'null'] } } },
    basis: {
      type: 'string',
      enum: ['model', 'popular', 'popular-in-region'],
      description: "'popular-in-region' or 'popular': the user has no history in the model (or is unknown to it), so the list is the most popular services in their region (when the warehouse knows it), else overall",
    },
    items: { type: 'array', items: { type: 'object', properties: { rank: { type: 'integer' }, service_id: { type: 'string' }, score: { type: 'number' } } } },
  },
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
  response: { 200: recommendationList, 400: problemSchema, 503: problemSchema },
} as const;

export const similarServicesSchema = {
  summary: 'Services similar to one service',
  tags: ['recommendations'],
  params: { type: 'object', properties: { serviceId: id }, required: ['serviceId'] },
  querystring: { type: 'object', additionalProperties: false, properties: { k } },
} as const;

export const foldInSchema = {
  summary: 'Recommendations for a user the model has not seen, from their recent reservations (ALS fold-in)',
  tags: ['recommendations'],
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
          properties: { service_id: id, status: { type: 'string', enum: ['reserved', 'completed'], default: 'completed' }, rating: { type: 'integer', minimum: 1, maximum: 5 } },
        },
      },
      k,
      category: id,
      region: id,
    },
  },
  response: { 200: recommendationList },
} as const;

export function batchSchema(maxUsers: number) {
  return {
    summary: `Recommendations for up to ${maxUsers} users at once`,
    tags: ['recommendations'],
    body: {
      type: 'object',
      additionalProperties: false,
      required: ['user_ids'],
      properties: { user_ids: { type: 'array', minItems: 1, maxItems: maxUsers, items: id }, k },
    },
  } as const;
}
