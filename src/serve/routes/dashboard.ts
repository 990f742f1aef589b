import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import type { FastifyInstance } from 'fastify';
import { WINDOW_HOURS, type DashboardData, type LatencySummary } from '../../monitoring/index.ts';
import { ValidationError } from '../../shared/index.ts';
import {
  dashboardFunnelSchema,
  dashboardLatencySchema,
  dashboardPipelineSchema,
  dashboardRegistrySchema,
  dashboardSatisfactionSchema,
  dashboardSummarySchema,
} from '../dashboard-schemas.ts';
import { RoutePath } from '../route-paths.ts';

/** What the dashboard's data routes read. */
export interface DashboardRouteDeps {
  readonly data: DashboardData;
  /**
   * The serving process's own request samples over the last `minutes` (pickwise serve); without it the latency
   * route answers `{ available: false, reason }` (pickwise dashboard serves no API to measure).
   */
  readonly latency?: ((minutes: number) => LatencySummary) | undefined;
}

const finiteOrNull = (v: number | null): number | null => (v === null || !Number.isFinite(v) ? null : v);

/** The dashboard's JSON data routes under /v1/dashboard/ (read access), each bad range a problem document. */
export const dashboardRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: DashboardRouteDeps }> = async (app, { data, latency }) => {
  const read = { access: 'read' } as const;
  app.get(RoutePath.dashboardSummary, { config: read, schema: dashboardSummarySchema }, async (req) => data.summary(req.query.window ?? '24h'));
  app.get(RoutePath.dashboardSatisfaction, { config: read, schema: dashboardSatisfactionSchema }, async (req) => {
    const { window, bucket, from, to } = req.query;
    if ((from === undefined) !== (to === undefined)) throw new ValidationError(`give both from and to (ISO 8601 times), or neither and a window`);
    if (from !== undefined && window !== undefined) throw new ValidationError('give a window or from and to, not both');
    return data.satisfaction({ window, bucket: bucket ?? 'hour', from, to });
  });
  app.get(RoutePath.dashboardFunnel, { config: read, schema: dashboardFunnelSchema }, async (req) => data.funnel(req.query.window ?? '24h'));
  app.get(RoutePath.dashboardPipeline, { config: read, schema: dashboardPipelineSchema }, async () => data.pipeline());
  app.get(RoutePath.dashboardRegistry, { config: read, schema: dashboardRegistrySchema }, async () => data.registry());
  app.get(RoutePath.dashboardLatency, { config: read, schema: dashboardLatencySchema }, async (req) => {
    const window = req.query.window ?? '1h';
    if (latency === undefined) return { available: false, reason: 'latency is measured by pickwise serve: open the dashboard it serves' };
    const s = latency(WINDOW_HOURS[window] * 60);
    return {
      available: true,
      window,
      responses: s.responses,
      ratePerSecond: s.ratePerSecond,
      p50Ms: finiteOrNull(s.p50Ms),
      p95Ms: finiteOrNull(s.p95Ms),
      p99Ms: finiteOrNull(s.p99Ms),
      errors: s.errors,
      errorRate: s.errorRate,
      modelSwaps: s.modelSwaps,
      failedLoads: s.failedLoads,
    };
  });
};

/**
 * Registers the dashboard's data routes on `app` (pickwise serve's, or pickwise dashboard's own). The instance
 * provides what every route relies on: the API-key guard for `access: 'read'` and problem documents for errors.
 */
export async function registerDashboardRoutes(app: FastifyInstance, deps: DashboardRouteDeps): Promise<void> {
  await app.register(dashboardRoutes, deps);
}
