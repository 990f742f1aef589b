/** The real-time recommendation API (Fastify), its model holder with hot swaps, and its metrics. */
export { buildApp, BODY_LIMIT, type AppOptions } from './app.ts';
export { API_KEY_HEADER, needsKey, type AccessConfig, type RouteAccess } from './access.ts';
export { PROBLEM_TYPE, type Problem } from './problem.ts';
export { RoutePath } from './route-paths.ts';
export type { RouteDeps } from './route-deps.ts';
export { createServeMetrics, type ServeMetrics } from './metrics.ts';
export { ModelHolder } from './model-holder.ts';
export { currentTarget, loadServedModel, type ModelChoice, type ServedModel } from './served-model.ts';
export { startServer, SERVED_LISTS_DIR, type RunningServer } from './server.ts';
export { FEEDBACK_BODY_LIMIT } from './routes/feedback.ts';
export { MAX_FEEDBACK_EVENTS } from './schemas.ts';
export { startAlerting, type RunningAlerting } from './alerting.ts';
export { startDashboardServer, type RunningDashboard } from './dashboard/dashboard-server.ts';
export { DEFAULT_DASHBOARD_REFRESH_SECONDS } from './dashboard/dashboard-page.ts';
export { dashboardRoutes, registerDashboardRoutes, type DashboardRouteDeps } from './routes/dashboard.ts';
export { GAUGE_CACHE_SECONDS, registerWarehouseGauges } from './warehouse-gauges.ts';
export { FreshHistory } from './fresh-history.ts';
