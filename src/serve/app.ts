import type { FastifyInstance } from 'fastify';
import type { ServeConfig } from '../config/index.ts';
import type { ServedListRecorder } from '../feedback/index.ts';
import type { Clock } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
import type { Warehouse } from '../warehouse/index.ts';
import type { AccessConfig } from './access.ts';
import { dashboardPage } from './dashboard/dashboard-page.ts';
import { createHttpApp } from './http-app.ts';
import type { ServeMetrics } from './metrics.ts';
import type { FreshHistory } from './fresh-history.ts';
import type { ModelHolder } from './model-holder.ts';
import type { RouteDeps } from './route-deps.ts';
import { dashboardRoutes, type DashboardRouteDeps } from './routes/dashboard.ts';
import { feedbackRoutes, type FeedbackRouteDeps } from './routes/feedback.ts';
import { healthRoutes } from './routes/health.ts';
import { modelRoutes } from './routes/models.ts';
import { recommendationRoutes } from './routes/recommendations.ts';
import { serviceRoutes } from './routes/services.ts';

export { BODY_LIMIT } from './http-app.ts';

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
  /** The dashboard page's live refresh, in seconds (monitoring.dashboardRefreshSeconds; default 30). */
  readonly dashboardRefreshSeconds?: number | undefined;
  /** Now (default: the system clock). */
  readonly clock?: Clock | undefined;
  /** Told of every response (status, ms): feeds the serving metrics of alert rules (api_error_rate, api_p99_ms). */
  readonly onResponse?: ((status: number, ms: number) => void) | undefined;
  /** Reservations loaded since the served model's data: users' lists leave them out and follow them (see FreshHistory). */
  readonly fresh?: FreshHistory | undefined;
  /** The process's one logger (src/shared/logger.ts, with its redact list): a line per request, every failure with its cause. */
  readonly logger: Logger;
}

/**
 * The real-time API (Fastify): one plugin per resource (`routes/*.ts`: recommendations, services, models,
 * health), each route declaring its access level for the API-key guard, on the shared HTTP edge (problem
 * documents, OpenAPI, request logs: see http-app.ts), and the dashboard page at /dashboard.
 */
export async function buildApp(o: AppOptions): Promise<FastifyInstance> {
  const app = await createHttpApp({ access: o.config, metrics: o.metrics, onResponse: o.onResponse, logger: o.logger });
  const deps: RouteDeps = {
    holder: o.holder,
    warehouse: o.warehouse,
    metrics: o.metrics,
    logger: o.logger,
    maxBatchUsers: o.config.maxBatchUsers,
    recorder: o.feedback?.recorder,
    clock: o.clock,
    fresh: o.fresh,
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
  await app.register(dashboardPage, { access: o.config, refreshSeconds: o.dashboardRefreshSeconds, withApi: true });
  return app;
}
