import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { NotFoundError, quoteInput } from '../../shared/index.ts';
import { modelRef, servedModel, type RouteDeps } from '../route-deps.ts';
import { RoutePath } from '../route-paths.ts';
import { similarServicesSchema } from '../schemas.ts';
import { topItems } from '../served-lists.ts';

/** Services similar to one service (read). */
export const serviceRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: RouteDeps }> = async (app, { holder }) => {
  app.get(RoutePath.similarServices, { config: { access: 'read' }, schema: similarServicesSchema }, async (req) => {
    const m = servedModel(holder);
    const { serviceId } = req.params;
    const item = m.loaded.itemIndex.get(serviceId);
    if (item === undefined)
      throw new NotFoundError(`service ${quoteInput(serviceId)} is not in the model (services added since it was trained join at the next training)`);
    const top = m.loaded.model.similarItems(Int32Array.of(item), Math.min(req.query.k, m.loaded.itemIds.length - 1));
    return { service_id: serviceId, model: modelRef(m), items: topItems(m, top) };
  });
};
