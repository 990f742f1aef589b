import type { FastifyInstance } from 'fastify';
import type { ServeConfig } from '../config/index.ts';
import type { Logger } from '../shared/io.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import { buildApp } from './app.ts';
import { createServeMetrics } from './metrics.ts';
import { ModelHolder } from './model-holder.ts';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly holder: ModelHolder;
  /** `http://host:port` it listens on. */
  readonly url: string;
  /** Stops taking connections, finishes in-flight requests, stops watching the registry. */
  close(): Promise<void>;
}

/**
 * Loads the model to serve (the configured alias of a registered model, or the newest trained one), starts the
 * API on host:port and watches for a moved alias or a newer model every `pollSeconds`.
 */
export async function startServer(o: { warehouse: Warehouse; store: ObjectStore; config: ServeConfig; logger: Logger }): Promise<RunningServer> {
  const metrics = createServeMetrics();
  const holder = new ModelHolder({
    warehouse: o.warehouse,
    store: o.store,
    choice: { ...(o.config.modelName ? { name: o.config.modelName } : {}), alias: o.config.alias },
    logger: o.logger,
    onSwap: (m) => {
      metrics.loadSeconds.set(m.loadSeconds);
      metrics.model.reset();
      metrics.model.set(
        { kind: m.loaded.manifest.kind, version: m.loaded.manifest.version, name: m.name ?? '', registry_version: m.version === null ? '' : String(m.version) },
        1,
      );
    },
  });
  await holder.start();
  const app = await buildApp({ holder, warehouse: o.warehouse, metrics, config: o.config, logger: o.logger });
  const address = await app.listen({ host: o.config.host, port: o.config.port });
  holder.watch(o.config.pollSeconds * 1000);
  o.logger.info({ address }, 'serving');
  return {
    app,
    holder,
    url: address,
    async close() {
      holder.stop();
      await app.close();
    },
  };
}
