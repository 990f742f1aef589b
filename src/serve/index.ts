/** The real-time recommendation API (Fastify), its model holder with hot swaps, and its metrics. */
export { buildApp, type AppOptions } from './app.ts';
export { createServeMetrics, type ServeMetrics } from './metrics.ts';
export { ModelHolder } from './model-holder.ts';
export { currentTarget, loadServedModel, type ModelChoice, type ServedModel } from './served-model.ts';
export { startServer, type RunningServer } from './server.ts';
