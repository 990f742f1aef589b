import type { FastifyPluginAsyncJsonSchemaToTs } from '@fastify/type-provider-json-schema-to-ts';
import { modelRef, servedModel, type RouteDeps } from '../route-deps.ts';
import { RoutePath } from '../route-paths.ts';
import { currentModelSchema } from '../schemas.ts';

/** The model in use (read). */
export const modelRoutes: FastifyPluginAsyncJsonSchemaToTs<{ Options: RouteDeps }> = async (app, { holder }) => {
  app.get(RoutePath.currentModel, { config: { access: 'read' }, schema: currentModelSchema }, async () => {
    const m = servedModel(holder);
    return {
      ...modelRef(m),
      alias: m.alias,
      prefix: m.prefix,
      loaded_at: m.loadedAt,
      load_seconds: m.loadSeconds,
      users: m.loaded.userIds.length,
      services: m.loaded.itemIds.length,
      params: { ...m.loaded.manifest.params },
      catalog_read_at: m.catalog.readAt ?? null,
    };
  });
};
