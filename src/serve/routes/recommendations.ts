import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { WarningCode, type RecommendationWarning } from '../../registry/index.ts';
import { ServiceRepo } from '../../warehouse/index.ts';
import { FailureLog } from '../../shared/io.ts';
import { systemClock, toUtcText, uuidV7 } from '../../shared/index.ts';
import { servedListRow } from '../served-list-row.ts';
import { catalogWarnings, modelRef, servedModel, type RouteDeps } from '../route-deps.ts';
import { RoutePath } from '../route-paths.ts';
import { batchSchema, foldInSchema, userRecommendationsSchema } from '../schemas.ts';
import { listForHistory, listForUser, listsForUsers } from '../served-lists.ts';
import type { ServedModel } from '../served-model.ts';

/**
 * Recommendation lists: a user's (read), and two write routes that compute for arbitrary input: fold-in of a
 * new user's reservations, and batches of users.
 */
export const recommendationRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: RouteDeps }> = async (app, deps) => {
  const { holder, metrics, recorder } = deps;
  const clock = deps.clock ?? systemClock;
  const repo = new ServiceRepo(deps.warehouse.db);
  const regionLog = new FailureLog(deps.logger, "looking up a user's region (popular-in-region)");

  /** The user's region for popular-in-region; a warning instead when the warehouse cannot be asked. */
  const regionOf = async (userId: string): Promise<{ region?: string; warning?: RecommendationWarning }> => {
    try {
      const region = await repo.userRegion(userId);
      regionLog.succeeded();
      return region === undefined ? {} : { region };
    } catch (error) {
      regionLog.failed(error, { database: deps.warehouse.displayUrl });
      return {
        warning: {
          code: WarningCode.REGION_UNAVAILABLE,
          message: "the warehouse could not be asked for the user's region: the list is the most popular services overall",
        },
      };
    }
  };

  /** A list's warnings, and the catalog's when it is stale. */
  const withCatalog = (warnings: RecommendationWarning[], m: ServedModel): RecommendationWarning[] => {
    const stale = catalogWarnings(holder, m);
    return stale.length === 0 ? warnings : [...warnings, ...stale];
  };

  app.get(RoutePath.userRecommendations, { config: { access: 'read' }, schema: userRecommendationsSchema }, async (req) => {
    const m = servedModel(holder);
    const { k, category, region, exclude_seen: excludeSeen } = req.query;
    const recent = deps.fresh?.for(m.loaded);
    const list = await listForUser(m, { userId: req.params.userId, k, filter: { category, region }, excludeSeen, regionOf, recent });
    metrics.served.inc({ model: m.loaded.manifest.version, basis: list.basis });
    const recommendationId = uuidV7();
    recorder?.record(
      servedListRow(m, { recommendationId, source: 'user', userId: req.params.userId, list, k, filter: { category, region }, createdAt: toUtcText(clock()) }),
    );
    return {
      recommendation_id: recommendationId,
      user_id: req.params.userId,
      model: modelRef(m),
      basis: list.basis,
      items: list.items,
      warnings: withCatalog(list.warnings, m),
    };
  });

  app.post(RoutePath.foldIn, { config: { access: 'write' }, schema: foldInSchema }, async (req) => {
    const m = servedModel(holder);
    const { interactions, k, category, region } = req.body;
    const list = listForHistory(m, { interactions, k, filter: { category, region } });
    metrics.served.inc({ model: m.loaded.manifest.version, basis: list.basis });
    const recommendationId = uuidV7();
    recorder?.record(
      servedListRow(m, { recommendationId, source: 'fold-in', userId: null, list, k, filter: { category, region }, createdAt: toUtcText(clock()) }),
    );
    return {
      recommendation_id: recommendationId,
      user_id: null,
      model: modelRef(m),
      basis: list.basis,
      items: list.items,
      warnings: withCatalog(list.warnings, m),
    };
  });

  app.post(RoutePath.batch, { config: { access: 'write' }, schema: batchSchema(deps.maxBatchUsers) }, async (req) => {
    const m = servedModel(holder);
    const batchId = uuidV7();
    const createdAt = toUtcText(clock());
    const results = listsForUsers(m, req.body.user_ids, req.body.k, deps.fresh?.for(m.loaded)).map((list) => {
      metrics.served.inc({ model: m.loaded.manifest.version, basis: list.basis });
      const recommendationId = uuidV7();
      recorder?.record(servedListRow(m, { recommendationId, source: 'batch', batchId, userId: list.user_id, list, k: req.body.k, createdAt }));
      return { recommendation_id: recommendationId, user_id: list.user_id, basis: list.basis, items: list.items, warnings: withCatalog(list.warnings, m) };
    });
    return { model: modelRef(m), results };
  });
};
