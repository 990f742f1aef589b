import type { AlertsConfig, ServeConfig } from '../config/index.ts';
import {
  AlertDelivery,
  Alerting,
  AlertStateFile,
  createNotifiers,
  routeMetrics,
  servingModelFromConfig,
  WarehouseMetricSource,
  type ServingModelResolver,
  type ServingSignals,
} from '../monitoring/index.ts';
import { systemClock } from '../shared/index.ts';
import { stageLogger, type Logger } from '../shared/io.ts';
import type { Warehouse } from '../warehouse/index.ts';
import type { ModelHolder } from './model-holder.ts';

/** The alerting loop running inside `pickwise serve`. */
export interface RunningAlerting {
  readonly alerting: Alerting;
  readonly delivery: AlertDelivery;
  /** Stops evaluating, and delivers (or logs as undeliverable) the notifications still queued. */
  stop(): Promise<void>;
}

/**
 * Starts evaluating the alert rules every `alerts.evaluateEvery` inside the server: warehouse metrics from the
 * warehouse, serving metrics from this process's `signals`, `serving-model` as the model the holder serves now (a
 * registered one), else as the configuration names it. Notifications go out in the background (log, Slack).
 */
export function startAlerting(o: {
  config: AlertsConfig;
  home: string;
  warehouse: Warehouse;
  serve: ServeConfig;
  holder: ModelHolder;
  signals: ServingSignals;
  logger: Logger;
}): RunningAlerting {
  const logger = stageLogger(o.logger, 'alerts');
  const configured = servingModelFromConfig(o.warehouse, o.serve);
  const servingModel: ServingModelResolver = async (since) => {
    const current = o.holder.current;
    return current?.name != null && current.version !== null ? { name: current.name, version: current.version } : configured(since);
  };
  const delivery = new AlertDelivery({ notifiers: createNotifiers(o.config, logger), logger });
  const alerting = new Alerting({
    rules: o.config.rules,
    source: routeMetrics({ warehouse: new WarehouseMetricSource({ warehouse: o.warehouse, servingModel }), serving: o.signals }),
    stateFile: new AlertStateFile(o.home),
    delivery,
    clock: systemClock,
    logger,
  });
  alerting.start(o.config.evaluateEvery);
  return { alerting, delivery, stop: () => alerting.stop() };
}
