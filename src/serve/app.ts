import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { ServeConfig } from '../config/index.ts';
import { candidateServices, type LoadedModel } from '../pipeline/index.ts';
import { popularInRegion, recommendFor, topItems } from './served-lists.ts';
import { AppError } from '../shared/errors.ts';
import { DEFAULT_WEIGHTING, interactionWeight } from '../features/index.ts';
import { AlsRecommender } from '../models/als/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import type { ModelHolder } from './model-holder.ts';
import type { ServeMetrics } from './metrics.ts';
import { batchSchema, foldInSchema, similarServicesSchema, userRecommendationsSchema } from './schemas.ts';

export interface AppOptions {
  readonly holder: ModelHolder;
  readonly warehouse: Warehouse;
  readonly metrics: ServeMetrics;
  readonly config: Pick<ServeConfig, 'apiKeys' | 'keysForReads' | 'maxBatchUsers'>;
  /** Pino-compatible logger options for Fastify; false: no request logs. */
  readonly logger?: boolean | object;
}

/** An RFC 9457 problem document. */
interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
}

/**
 * The real-time API (Fastify): recommendations from the model the holder serves, similar services, the model
 * in use, health, readiness and Prometheus metrics, with an OpenAPI document at /openapi.json and docs at /docs.
 * Errors are problem documents; query parameters are validated and unknown ones refused.
 */
export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: o.logger ?? false,
    bodyLimit: 256 * 1024,
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });
  await app.register(swagger, { openapi: { info: { title: 'pickwise', version: '1' }, components: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } } } });
  await app.register(swaggerUi, { routePrefix: '/docs' });

  app.setErrorHandler((error: Error & { statusCode?: number; validation?: unknown }, _req, reply) => {
    const status = error instanceof AppError ? error.httpStatus : (error.statusCode ?? 500);
    const detail = status >= 500 && !(error instanceof AppError) ? 'internal error (see the server log)' : error.message;
    if (status >= 500) reply.log.error({ err: error }, 'request failed');
    void sendProblem(reply, status, detail);
  });
  app.setNotFoundHandler((req, reply) => void sendProblem(reply, 404, `no route ${req.method} ${req.url.split('?')[0]}`));

  app.addHook('onResponse', async (req, reply) => {
    const labels = { route: req.routeOptions.url ?? 'unmatched', method: req.method, status: String(reply.statusCode) };
    o.metrics.requests.inc(labels);
    o.metrics.latency.observe(labels, reply.elapsedTime / 1000);
  });

  const keyDigests = o.config.apiKeys.map((k) => createHash('sha256').update(k).digest());
  /** Constant-time comparison of digests (the key itself is never logged or compared directly). */
  const requireKey = async (req: FastifyRequest, reply: FastifyReply): Promise<void> => {
    const given = req.headers['x-api-key'];
    const digest = createHash('sha256').update(typeof given === 'string' ? given : '').digest();
    let ok = false;
    for (const d of keyDigests) ok = timingSafeEqual(d, digest) || ok;
    if (!ok) await sendProblem(reply, 401, typeof given === 'string' ? 'the API key is not valid' : 'this route needs an API key in the x-api-key header');
  };
  const readGuard = o.config.keysForReads ? { onRequest: requireKey } : {};

  const served = () => {
    const current = o.holder.current;
    if (current === undefined) throw new AppError({ code: 'BACKEND_UNAVAILABLE', httpStatus: 503, expected: true }, 'no model is loaded yet');
    return current;
  };
  /** The services a category and/or region allow, or undefined for all. */
  const filtered = async (loaded: LoadedModel, category?: string, region?: string): Promise<Int32Array | undefined> =>
    category !== undefined || region !== undefined ? candidateServices(o.warehouse, loaded, { ...(category ? { category } : {}), ...(region ? { region } : {}) }) : undefined;
  const modelInfo = (m: ReturnType<typeof served>) => ({ kind: m.loaded.manifest.kind, version: m.loaded.manifest.version, name: m.name, registry_version: m.version });

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const model = o.holder.current !== undefined;
    let database = true;
    try {
      await o.warehouse.db.selectFrom('ingestFile').select('fileId').limit(1).execute();
    } catch {
      database = false;
    }
    const status = model && database ? 'ready' : model ? 'degraded' : 'unavailable';
    return reply.code(model ? 200 : 503).send({ status, model, database, ...(o.holder.lastError ? { last_model_error: o.holder.lastError } : {}) });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => reply.type(o.metrics.registry.contentType).send(await o.metrics.registry.metrics()));

  app.get('/v1/models/current', { ...readGuard, schema: { summary: 'The model serving recommendations', tags: ['models'] } }, async () => {
    const m = served();
    return { ...modelInfo(m), alias: m.alias, prefix: m.prefix, loaded_at: m.loadedAt, load_seconds: m.loadSeconds, users: m.loaded.userIds.length, services: m.loaded.itemIds.length, params: m.loaded.manifest.params };
  });

  app.get<{ Params: { userId: string }; Querystring: { k: number; category?: string; region?: string; exclude_seen: boolean } }>(
    '/v1/users/:userId/recommendations',
    {
      ...readGuard,
      schema: userRecommendationsSchema,
    },
    async (req) => {
      const m = served();
      const { k, category, region, exclude_seen: excludeSeen } = req.query;
      const candidates = await filtered(m.loaded, category, region);
      let result = recommendFor(m.loaded, req.params.userId, k, candidates, excludeSeen);
      if (result.basis === 'popular' && candidates === undefined) result = (await popularInRegion(o.warehouse, m.loaded, req.params.userId, k)) ?? result;
      const { basis, items } = result;
      o.metrics.served.inc({ model: m.loaded.manifest.version, basis });
      return { recommendation_id: randomUUID(), user_id: req.params.userId, model: modelInfo(m), basis, items };
    },
  );

  app.get<{ Params: { serviceId: string }; Querystring: { k: number } }>(
    '/v1/services/:serviceId/similar',
    {
      ...readGuard,
      schema: similarServicesSchema,
    },
    async (req) => {
      const m = served();
      const item = m.loaded.itemIndex.get(req.params.serviceId) ?? -1;
      if (item < 0) throw new AppError({ code: 'NOT_FOUND', httpStatus: 404, expected: true }, `service '${req.params.serviceId}' is not in the model`);
      const top = m.loaded.model.similarItems(Int32Array.of(item), Math.min(req.query.k, m.loaded.itemIds.length - 1));
      return { service_id: req.params.serviceId, model: modelInfo(m), items: topItems(m.loaded, top) };
    },
  );

  app.post<{ Body: { interactions: { service_id: string; status?: 'reserved' | 'completed'; rating?: number }[]; k?: number; category?: string; region?: string } }>(
    '/v1/recommendations',
    {
      ...readGuard,
      schema: foldInSchema,
    },
    async (req) => {
      const m = served();
      const { interactions, k = 10, category, region } = req.body;
      const candidates = await filtered(m.loaded, category, region);
      const items: number[] = [];
      const values: number[] = [];
      for (const i of interactions) {
        const item = m.loaded.itemIndex.get(i.service_id);
        if (item === undefined) continue; // services newer than the model cannot inform it
        items.push(item);
        values.push(interactionWeight(DEFAULT_WEIGHTING, i.status ?? 'completed', i.rating ?? null, 0));
      }
      const model = m.loaded.model;
      let basis: 'model' | 'popular' = 'popular';
      let top;
      if (model instanceof AlsRecommender && items.length > 0) {
        top = model.recommendFolded({ items: Int32Array.from(items), values: Float32Array.from(values) }, { k: Math.min(k, m.loaded.itemIds.length), ...(candidates ? { candidates } : {}) });
        basis = 'model';
      } else {
        top = m.loaded.fallback.recommend(Int32Array.of(0), { k: Math.min(k, m.loaded.itemIds.length), ...(candidates ? { candidates } : {}) });
      }
      o.metrics.served.inc({ model: m.loaded.manifest.version, basis });
      return { recommendation_id: randomUUID(), user_id: null, model: modelInfo(m), basis, items: topItems(m.loaded, top) };
    },
  );

  app.post<{ Body: { user_ids: string[]; k?: number } }>(
    '/v1/recommendations/batch',
    {
      ...readGuard,
      schema: batchSchema(o.config.maxBatchUsers),
    },
    async (req) => {
      const m = served();
      const k = req.body.k ?? 10;
      const results = req.body.user_ids.map((userId) => {
        const { basis, items } = recommendFor(m.loaded, userId, k, undefined, true);
        o.metrics.served.inc({ model: m.loaded.manifest.version, basis });
        return { recommendation_id: randomUUID(), user_id: userId, basis, items };
      });
      return { model: modelInfo(m), results };
    },
  );

  return app;
}

async function sendProblem(reply: FastifyReply, status: number, detail: string): Promise<FastifyReply> {
  const titles: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 404: 'Not Found', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 503: 'Service Unavailable' };
  const body: Problem = { type: 'about:blank', title: titles[status] ?? (status >= 500 ? 'Internal Server Error' : 'Error'), status, detail };
  return reply.code(status).type('application/problem+json').send(body);
}
