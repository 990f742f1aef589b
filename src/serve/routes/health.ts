import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { AppError } from '../../shared/index.ts';
import { ServiceRepo } from '../../warehouse/index.ts';
import { FailureLog } from '../../shared/io.ts';
import type { RouteDeps } from '../route-deps.ts';
import { RoutePath } from '../route-paths.ts';
import { healthSchema, metricsSchema, readySchema } from '../schemas.ts';

/**
 * Liveness and readiness (public: probes carry no key) and Prometheus metrics. Readiness checks the database
 * for real on every call (the file or server is the one opened, and a query of its schema works); a failing
 * check is logged once, with its cause, until the cause changes or the database is back.
 */
export const healthRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: RouteDeps }> = async (app, deps) => {
  const { holder, warehouse, metrics } = deps;
  const repo = new ServiceRepo(warehouse.db);
  const databaseLog = new FailureLog(deps.logger, 'database check (readiness)');

  app.get(RoutePath.health, { config: { access: 'public' }, schema: healthSchema }, async () => ({ status: 'ok' as const }));

  app.get(RoutePath.ready, { config: { access: 'public' }, schema: readySchema }, async (_req, reply) => {
    const model = holder.current !== undefined;
    let databaseError: string | undefined;
    try {
      await warehouse.dialect.checkStorage();
      await repo.probe();
      databaseLog.succeeded({ database: warehouse.displayUrl });
    } catch (error) {
      // The check's own findings are safe to show; a driver's message may name hosts and ports, so it stays in the log.
      databaseError = error instanceof AppError ? error.message : 'a query of the warehouse schema failed (the server log has the cause)';
      databaseLog.failed(error, { database: warehouse.displayUrl });
    }
    const database = databaseError === undefined;
    const status = model && database ? 'ready' : model ? 'degraded' : 'unavailable';
    const lastModelError = holder.lastError;
    return reply.code(model ? 200 : 503).send({
      status,
      model,
      database,
      ...(databaseError === undefined ? {} : { database_error: databaseError }),
      ...(lastModelError === undefined ? {} : { last_model_error: lastModelError }),
    });
  });

  app.get(RoutePath.metrics, { config: { access: 'metrics' }, schema: metricsSchema }, async (_req, reply) =>
    reply.type(metrics.registry.contentType).send(await metrics.registry.metrics()),
  );
};
