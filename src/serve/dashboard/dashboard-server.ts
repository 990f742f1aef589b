import type { FastifyInstance } from 'fastify';
import type { ServeConfig } from '../../config/index.ts';
import { DashboardData, servingModelFromConfig } from '../../monitoring/index.ts';
import type { Logger } from '../../shared/io.ts';
import type { Warehouse } from '../../warehouse/index.ts';
import { createHttpApp } from '../http-app.ts';
import { createServeMetrics } from '../metrics.ts';
import { RoutePath } from '../route-paths.ts';
import { registerDashboardRoutes } from '../routes/dashboard.ts';
import { healthSchema } from '../schemas.ts';
import { dashboardPage } from './dashboard-page.ts';

export interface RunningDashboard {
  readonly app: FastifyInstance;
  /** `http://host:port` it listens on (the page is at `${url}/dashboard`). */
  readonly url: string;
  /** Stops taking connections and finishes the requests in flight. */
  close(): Promise<void>;
}

/**
 * `pickwise dashboard`: the dashboard page and its data routes over the configured warehouse, without the
 * recommendation API (no model is loaded, so it also runs on a warehouse that has none yet). The same HTTP edge
 * as `pickwise serve`: keys (serve.apiKeys, serve.keysForReads), problem documents, request logs, /healthz.
 */
export async function startDashboardServer(o: {
  warehouse: Warehouse;
  /** host, port and the key settings. */
  config: ServeConfig;
  /** Seconds between the page's live refreshes. */
  refreshSeconds?: number | undefined;
  logger: Logger;
}): Promise<RunningDashboard> {
  const app = await createHttpApp({ access: o.config, metrics: createServeMetrics(), logger: o.logger });
  app.get(RoutePath.health, { config: { access: 'public' }, schema: healthSchema }, async () => ({ status: 'ok' as const }));
  // The version serve.alias of serve.modelName points to is the one marked as served (no API runs here to say so);
  // without latency samples the latency route says where to look instead.
  const data = new DashboardData({ warehouse: o.warehouse, servingModel: servingModelFromConfig(o.warehouse, o.config) });
  await registerDashboardRoutes(app, { data });
  await app.register(dashboardPage, { access: o.config, refreshSeconds: o.refreshSeconds, withApi: false });
  const url = await app.listen({ host: o.config.host, port: o.config.port });
  o.logger.info({ address: url, warehouse: o.warehouse.displayUrl }, 'serving the dashboard');
  return { app, url, close: () => app.close() };
}
