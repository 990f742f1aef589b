import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { JsonSchemaToTsProvider } from '@fastify/type-provider-json-schema-to-ts';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyRequest } from 'fastify';
import type { ServeConfig } from '../config/index.ts';
import type { ServedListRecorder } from '../feedback/index.ts';
import { AppError, ErrorCode, quoteInput, type Clock } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
import type { Warehouse } from '../warehouse/index.ts';
import { API_KEY_HEADER, API_KEY_SCHEME, installAccessGuard, type AccessConfig } from './access.ts';
import type { ServeMetrics } from './metrics.ts';
import type { ModelHolder } from './model-holder.ts';
import { answerClientError, mapError, MAX_PARAM_LENGTH, problem, sendProblem } from './problem.ts';
import type { RouteDeps } from './route-deps.ts';
import { RoutePath } from './route-paths.ts';
import { dashboardRoutes, type DashboardRouteDeps } from './routes/dashboard.ts';
import { feedbackRoutes, type FeedbackRouteDeps } from './routes/feedback.ts';
import { healthRoutes } from './routes/health.ts';
import { modelRoutes } from './routes/models.ts';
import { recommendationRoutes } from './routes/recommendations.ts';
import { serviceRoutes } from './routes/services.ts';
import { noQuery } from './schemas.ts';

export interface AppOptions {
  readonly holder: ModelHolder;
  readonly warehouse: Warehouse;
  readonly metrics: ServeMetrics;
  readonly config: AccessConfig & Readonly<Pick<ServeConfig, 'maxBatchUsers'>>;
  /**
   * Feedback: POST /v1/feedback with these settings, and (with a recorder) every list served is recorded. Without
   * it the API records nothing and has no feedback route.
   */
  readonly feedback?: { readonly config: FeedbackRouteDeps['config']; readonly recorder?: ServedListRecorder | undefined } | undefined;
  /** The dashboard's data routes (/v1/dashboard/*): what they read. Without it the API has none. */
  readonly dashboard?: DashboardRouteDeps | undefined;
  /** Now (default: the system clock). */
  readonly clock?: Clock | undefined;
  /** Told of every response (status, ms): feeds the serving metrics of alert rules (api_error_rate, api_p99_ms). */
  readonly onResponse?: ((status: number, ms: number) => void) | undefined;
  /** The process's one logger (src/shared/logger.ts, with its redact list): a line per request, every failure with its cause. */
  readonly logger: Logger;
}

/** Largest request body accepted (a fold-in of 1 000 reservations is about 60 KB). */
export const BODY_LIMIT = 256 * 1024;

/**
 * The real-time API (Fastify): one plugin per resource (`routes/*.ts`: recommendations, services, models,
 * health), each route declaring its access level for the API-key guard; an OpenAPI document at /openapi.json
 * and docs at /docs. Every error, Fastify's own included, is an RFC 9457 problem document; unknown query
 * parameters are refused on every route.
 */
export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: o.logger as FastifyBaseLogger,
    // One line per request is written below (with route, status, duration and any failure), not Fastify's two.
    logController: new LogController({ disableRequestLogging: true }),
    // No child logger per request (a measurable cost at thousands of requests a second): the request's line carries its id.
    childLoggerFactory: (logger) => logger,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
    frameworkErrors: (error, req, reply) => {
      const mapped = mapError(error, req);
      failures.set(req, { error, expected: mapped.expected });
      void sendProblem(reply, mapped.problem);
    },
    clientErrorHandler: answerClientError,
  }).withTypeProvider<JsonSchemaToTsProvider>();
  const failures = new WeakMap<FastifyRequest, { error: Error; expected: boolean }>();

  // Bodies are JSON only: any other content type is answered 415 (not parsed as text and refused later).
  app.removeContentTypeParser('text/plain');
  installAccessGuard(app, o.config, o.logger);
  // A route without its own query-string schema takes no parameters (unknown ones are refused everywhere).
  app.addHook('onRoute', (route) => {
    if (route.schema?.querystring === undefined) route.schema = { ...route.schema, querystring: noQuery };
  });

  app.setErrorHandler((error: Error, req, reply) => {
    const mapped = mapError(error, req);
    failures.set(req, { error, expected: mapped.expected });
    return sendProblem(reply, mapped.problem);
  });
  app.setNotFoundHandler((req, reply) =>
    sendProblem(reply, problem(404, ErrorCode.NOT_FOUND, `no route ${req.method} ${quoteInput(req.url.split('?')[0] ?? '')}`)),
  );

  app.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const status = reply.statusCode;
    const labels = { route, method: req.method, status: String(status) };
    o.metrics.requests.inc(labels);
    o.metrics.latency.observe(labels, reply.elapsedTime / 1000);
    o.onResponse?.(status, reply.elapsedTime);
    const failure = failures.get(req);
    const probe = req.routeOptions.config.access === 'public';
    const level = failure && status >= 500 ? (failure.expected ? 'warn' : 'error') : status >= 400 && !probe ? 'info' : 'debug';
    if (o.logger.isLevelEnabled(level)) {
      const line = { reqId: req.id, method: req.method, route, status, ms: Math.round(reply.elapsedTime * 100) / 100 };
      if (failure === undefined) o.logger[level](line, 'request');
      else if (failure.expected)
        o.logger[level]({ ...line, error: { code: codeOf(failure.error), message: messageWithCauses(failure.error) } }, 'request failed');
      else o.logger[level]({ ...line, err: failure.error }, 'request failed');
    }
    done();
  });

  await app.register(swagger, {
    openapi: {
      info: {
        title: 'pickwise',
        version: '1',
        description: `Recommendations for services businesses. Protected routes need a key in the ${API_KEY_HEADER} header.`,
      },
      components: { securitySchemes: { [API_KEY_SCHEME]: { type: 'apiKey', in: 'header', name: API_KEY_HEADER } } },
    },
  });
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: route.config?.access ?? 'docs' };
    });
    await docs.register(swaggerUi, { routePrefix: RoutePath.docs });
    docs.get(RoutePath.openapi, { config: { access: 'docs' }, schema: { hide: true, querystring: noQuery } }, async () => docs.swagger());
  });

  const deps: RouteDeps = {
    holder: o.holder,
    warehouse: o.warehouse,
    metrics: o.metrics,
    logger: o.logger,
    maxBatchUsers: o.config.maxBatchUsers,
    recorder: o.feedback?.recorder,
    clock: o.clock,
  };
  await app.register(healthRoutes, deps);
  await app.register(modelRoutes, deps);
  await app.register(serviceRoutes, deps);
  await app.register(recommendationRoutes, deps);
  if (o.feedback)
    await app.register(feedbackRoutes, {
      warehouse: o.warehouse,
      metrics: o.metrics,
      config: o.feedback.config,
      recorder: o.feedback.recorder,
      clock: o.clock,
    });
  if (o.dashboard) await app.register(dashboardRoutes, o.dashboard);
  return app as unknown as FastifyInstance;
}

function codeOf(error: Error): string {
  return error instanceof AppError ? error.code : ((error as { code?: string }).code ?? ErrorCode.INTERNAL);
}

/** The message and every `cause`'s message, as one line ("cannot reach …: connect ECONNREFUSED …"). */
function messageWithCauses(error: Error): string {
  let text = error.message;
  let cause = error.cause;
  for (let depth = 0; cause instanceof Error && depth < 5; depth++, cause = cause.cause) text += `: ${cause.message}`;
  return text;
}
