import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import type { FeedbackConfig, ServeConfig } from '../config/index.ts';
import { ServedListRecorder } from '../feedback/index.ts';
import type { Logger } from '../shared/io.ts';
import type { ObjectStore } from '../storage/index.ts';
import { FeedbackRepo, type Warehouse } from '../warehouse/index.ts';
import { buildApp } from './app.ts';
import { createServeMetrics } from './metrics.ts';
import { ModelHolder } from './model-holder.ts';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly holder: ModelHolder;
  /** Records the lists served (when feedback.recordServed). */
  readonly recorder: ServedListRecorder | undefined;
  /** `http://host:port` it listens on. */
  readonly url: string;
  /** Stops taking connections, finishes in-flight requests, stops watching the registry, commits the lists served. */
  close(): Promise<void>;
}

/** Folder under `home` where served lists wait for the warehouse. */
export const SERVED_LISTS_DIR = 'served-lists';

/**
 * Loads the model to serve (the configured alias of a registered model, or the newest trained one), starts the
 * API on host:port and watches for a moved alias or a newer model every `pollSeconds`. With `feedback`, it takes
 * reactions on POST /v1/feedback and (feedback.recordServed) records every list it serves, in `<home>/served-lists/`
 * while the warehouse is away.
 */
export async function startServer(o: {
  warehouse: Warehouse;
  store: ObjectStore;
  config: ServeConfig;
  logger: Logger;
  feedback?: { config: FeedbackConfig; home: string };
}): Promise<RunningServer> {
  const metrics = createServeMetrics();
  const recorder =
    o.feedback?.config.recordServed === true
      ? new ServedListRecorder({
          writer: new FeedbackRepo(o.warehouse),
          dir: path.join(o.feedback.home, SERVED_LISTS_DIR),
          flushMs: o.feedback.config.flushMs,
          flushLists: o.feedback.config.flushLists,
          maxBufferedLists: o.feedback.config.maxBufferedLists,
          logger: o.logger.child({ stage: 'feedback' }),
          observer: {
            recorded: (n) => metrics.servedListsRecorded.inc(n),
            written: (n) => metrics.servedListsWritten.inc(n),
            dropped: (n) => metrics.servedListsDropped.inc(n),
            pending: (n) => metrics.servedListsPending.set(n),
          },
        })
      : undefined;
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
  await recorder?.start();
  const feedback = o.feedback && { config: o.feedback.config, recorder };
  const app = await buildApp({ holder, warehouse: o.warehouse, metrics, config: o.config, logger: o.logger, feedback });
  const address = await app.listen({ host: o.config.host, port: o.config.port });
  holder.watch(o.config.pollSeconds * 1000);
  o.logger.info({ address }, 'serving');
  return {
    app,
    holder,
    recorder,
    url: address,
    async close() {
      holder.stop();
      await app.close();
      await recorder?.stop();
    },
  };
}
