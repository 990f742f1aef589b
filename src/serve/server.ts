import type { FastifyInstance } from 'fastify';
import path from 'node:path';
import type { AlertsConfig, FeedbackConfig, MonitoringConfig, ServeConfig } from '../config/index.ts';
import { openElasticsearchShipper, ServedListRecorder, WarehouseFeedbackOutbox } from '../feedback/index.ts';
import { startAlerting, type RunningAlerting } from './alerting.ts';
import { stageLogger, type Logger } from '../shared/io.ts';
import type { ObjectStore } from '../storage/index.ts';
import { DashboardData, ServingSignals } from '../monitoring/index.ts';
import { systemClock } from '../shared/index.ts';
import { FeedbackRepo, type Warehouse, type WarehouseConnection } from '../warehouse/index.ts';
import { buildApp } from './app.ts';
import { createServeMetrics } from './metrics.ts';
import { FreshHistory } from './fresh-history.ts';
import { ModelHolder } from './model-holder.ts';
import { registerWarehouseGauges } from './warehouse-gauges.ts';

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly holder: ModelHolder;
  /** Reservations newer than the served model's data, refreshed every serve.freshnessSeconds (undefined when 0). */
  readonly fresh: FreshHistory | undefined;
  /** Records the lists served (when feedback.recordServed). */
  readonly recorder: ServedListRecorder | undefined;
  /** The alert rules evaluated in this process (when `alerts.enabled`). */
  readonly alerting: RunningAlerting | undefined;
  /** `http://host:port` it listens on. */
  readonly url: string;
  /**
   * Stops taking connections, finishes in-flight requests, stops watching the registry, commits the lists served,
   * and lets the Elasticsearch shipper finish and record its batch in flight.
   */
  close(): Promise<void>;
}

/** Folder under `home` where served lists wait for the warehouse. */
export const SERVED_LISTS_DIR = 'served-lists';

/**
 * Loads the model to serve (the configured alias of a registered model, or the newest trained one), starts the
 * API on host:port and watches for a moved alias or a newer model every `pollSeconds`. With `feedback`, it takes
 * reactions on POST /v1/feedback and (feedback.recordServed) records every list it serves, in `<home>/served-lists/`
 * while the warehouse is away; with `feedback.elasticsearch.url` set, it ships stored reactions there as they come (the
 * same shipper and cursor as `pickwise feedback ship --follow`).
 */
export async function startServer(o: {
  warehouse: Warehouse;
  store: ObjectStore;
  config: ServeConfig;
  logger: Logger;
  /** `connection`: the warehouse's, for the worker that commits the served lists (without it they commit in this thread). */
  feedback?: { config: FeedbackConfig; home: string; connection?: WarehouseConnection };
  /** Alert rules evaluated in this process every `alerts.evaluateEvery` (when `alerts.enabled`); states under `<home>/alerts/`. */
  alerts?: { config: AlertsConfig; home: string };
  /**
   * The warehouse gauges of /metrics (monitoring.metricVersions; without it /metrics has none), and the dashboard
   * page's refresh (monitoring.dashboardRefreshSeconds; default 30).
   */
  monitoring?: MonitoringConfig;
}): Promise<RunningServer> {
  const metrics = createServeMetrics();
  // Request samples for the dashboard's latency part and for alert rules: a small histogram a minute.
  const signals = new ServingSignals({ clock: systemClock });
  const recorder =
    o.feedback?.config.recordServed === true
      ? new ServedListRecorder({
          writer: new FeedbackRepo(o.warehouse),
          connection: o.feedback.connection,
          dir: path.join(o.feedback.home, SERVED_LISTS_DIR),
          flushMs: o.feedback.config.flushMs,
          flushLists: o.feedback.config.flushLists,
          maxBufferedLists: o.feedback.config.maxBufferedLists,
          logger: stageLogger(o.logger, 'feedback'),
          observer: {
            recorded: (n) => metrics.servedListsRecorded.inc(n),
            written: (n) => metrics.servedListsWritten.inc(n),
            dropped: (n) => metrics.servedListsDropped.inc(n),
            pending: (n) => metrics.servedListsPending.set(n),
          },
        })
      : undefined;
  const fresh =
    o.config.freshnessSeconds > 0
      ? new FreshHistory({ warehouse: o.warehouse, maxUsers: o.config.freshMaxUsers, logger: stageLogger(o.logger, 'fresh-history') })
      : undefined;
  fresh?.registerMetrics(metrics.registry);
  let installed = false;
  const holder = new ModelHolder({
    warehouse: o.warehouse,
    store: o.store,
    choice: { ...(o.config.modelName ? { name: o.config.modelName } : {}), alias: o.config.alias },
    logger: o.logger,
    onLoadFailed: () => {
      signals.modelLoadFailed();
      metrics.modelLoadFailures.inc();
    },
    onSwap: (m) => {
      if (installed) {
        signals.modelSwapped();
        metrics.modelSwaps.inc();
      }
      installed = true;
      fresh?.reset(m.loaded);
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
  const onResponse = (status: number, ms: number) => signals.response(status, ms);
  const dashboard = {
    data: new DashboardData({
      warehouse: o.warehouse,
      // Viewers refreshing the dashboard share one set of reads per few seconds.
      cacheSeconds: 5,
      servingModel: async () => {
        const m = holder.current;
        return m?.name == null || m.version === null ? undefined : { name: m.name, version: m.version };
      },
    }),
    latency: (minutes: number) => signals.summary(minutes),
  };
  if (o.monitoring)
    registerWarehouseGauges({ registry: metrics.registry, data: dashboard.data, metricVersions: o.monitoring.metricVersions, logger: o.logger });
  const app = await buildApp({
    holder,
    warehouse: o.warehouse,
    metrics,
    config: o.config,
    logger: o.logger,
    feedback,
    onResponse,
    dashboard,
    dashboardRefreshSeconds: o.monitoring?.dashboardRefreshSeconds,
    fresh,
  });
  const address = await app.listen({ host: o.config.host, port: o.config.port });
  holder.watch(o.config.pollSeconds * 1000);
  fresh?.start(o.config.freshnessSeconds);
  const shipping = startShipping(o);
  const alerting: RunningAlerting | undefined =
    o.alerts?.config.enabled === true
      ? startAlerting({ config: o.alerts.config, home: o.alerts.home, warehouse: o.warehouse, serve: o.config, holder, signals, logger: o.logger })
      : undefined;
  o.logger.info({ address }, 'serving');
  return {
    app,
    holder,
    fresh,
    recorder,
    alerting,
    url: address,
    async close() {
      holder.stop();
      await fresh?.stop();
      await app.close();
      await recorder?.stop();
      await shipping?.stop();
      await alerting?.stop();
    },
  };
}

/** The in-process Elasticsearch shipper, when one is configured: follows the warehouse's feedback until stopped. */
function startShipping(o: {
  warehouse: Warehouse;
  logger: Logger;
  feedback?: { config: FeedbackConfig; home: string };
}): { stop(): Promise<void> } | undefined {
  const es = o.feedback?.config.elasticsearch;
  if (o.feedback === undefined || es?.url === undefined) return undefined;
  const logger = stageLogger(o.logger, 'feedback-ship');
  const outbox = new WarehouseFeedbackOutbox({ repo: new FeedbackRepo(o.warehouse) });
  const { shipper, sink } = openElasticsearchShipper({ home: o.feedback.home, config: es, outbox, logger });
  const stop = new AbortController();
  // follow() waits out outages by itself; what ends it otherwise (an event refused for good, a refused key) is logged.
  const done = shipper
    .follow({ signal: stop.signal })
    .catch((error: unknown) => logger.error({ err: error }, 'shipping feedback to Elasticsearch stopped; `pickwise feedback ship` resumes from the cursor'))
    .finally(() => sink.close());
  return {
    async stop() {
      stop.abort();
      await done;
    },
  };
}
