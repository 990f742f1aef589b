import { stageLogger } from '../shared/io.ts';
import { AlertDelivery, createNotifiers } from '../monitoring/index.ts';
import { jobParamsError, type JobCatalogRef, type JobDeps } from '../pipeline/index.ts';
import { NotFoundError, Rng, systemClock, UnsupportedUrlError, redactUrl, type Clock } from '../shared/index.ts';
import { createBullmqExecutor } from './bullmq-executor.ts';
import { buildDags } from './builtin-dags.ts';
import { LandingSensor, warehouseLandingLedger } from './landing-sensor.ts';
import { createLocalExecutor } from './local-executor.ts';
import type { DagSpec, OrchestrationStore, TaskExecutor } from './ports.ts';
import { deliveringRunAlerts } from './run-alert-notifier.ts';
import { Scheduler } from './scheduler.ts';
import type { RunAlertNotifier } from './scheduler-types.ts';
import { WarehouseOrchestrationStore } from './warehouse-orchestration-store.ts';

/** The orchestration of one process: the checked DAGs, run history in the warehouse, an executor and a scheduler. */
export interface Orchestration {
  readonly dags: readonly DagSpec[];
  readonly store: OrchestrationStore;
  readonly executor: TaskExecutor;
  readonly scheduler: Scheduler;
  /** The DAG with this id; a NotFoundError naming the known ones otherwise. */
  dag(id: string): DagSpec;
  /** Stops the scheduler loop (when started), then the executor (running tries get `graceMs`), then delivers pending alerts. */
  close(graceMs?: number): Promise<void>;
}

/**
 * The executor `orchestration.executor.url` names: `local` runs tries in this process (CPU-heavy ones in child
 * processes); `redis://` / `rediss://` hands them to BullMQ queues that `pickwise worker` processes consume.
 */
export function openTaskExecutor(o: {
  readonly deps: JobDeps;
  readonly store: OrchestrationStore;
  readonly clock: Clock;
  readonly catalog?: JobCatalogRef;
}): TaskExecutor {
  const { executor, pools, leaseSeconds } = o.deps.config.orchestration;
  if (executor.url === 'local') {
    return createLocalExecutor({ store: o.store, deps: o.deps, pools, leaseSeconds, clock: o.clock, ...(o.catalog ? { catalog: o.catalog } : {}) });
  }
  if (/^rediss?:\/\//.test(executor.url)) return createBullmqExecutor({ url: executor.url, prefix: executor.prefix, pools });
  throw new UnsupportedUrlError(`orchestration.executor.url ${redactUrl(executor.url)}: expected local, redis://host:port[/db] or rediss://…`);
}

/** Opens the orchestration the configuration describes, over the warehouse and bucket of `deps`. */
export async function openOrchestration(o: {
  readonly deps: JobDeps;
  readonly clock?: Clock;
  readonly catalog?: JobCatalogRef;
  readonly notifier?: RunAlertNotifier;
}): Promise<Orchestration> {
  const { config, logger } = o.deps;
  const clock = o.clock ?? systemClock;
  // Failed runs and missed deadlines go where the alert rules' notifications go (the log, and Slack when configured).
  const delivery =
    o.notifier === undefined ? new AlertDelivery({ notifiers: createNotifiers(config.alerts, logger), logger: stageLogger(logger, 'alerts') }) : undefined;
  const dags = buildDags({ config: config.orchestration, jobParamsError, alias: config.serve.alias });
  const warehouse = await o.deps.warehouse();
  const store = new WarehouseOrchestrationStore(warehouse);
  const landing = new LandingSensor({ store: await o.deps.store(), prefix: config.ingest.landingPrefix, ledger: warehouseLandingLedger(warehouse) });
  const executor = openTaskExecutor({ deps: o.deps, store, clock, ...(o.catalog ? { catalog: o.catalog } : {}) });
  const scheduler = new Scheduler({
    dags,
    store,
    executor,
    clock,
    rng: new Rng(clock().getTime() % 2 ** 31),
    logger: stageLogger(logger, 'orchestration'),
    landing,
    notifier: o.notifier ?? deliveringRunAlerts(delivery!),
  });
  return {
    dags,
    store,
    executor,
    scheduler,
    dag(id) {
      const dag = dags.find((d) => d.id === id);
      if (dag === undefined) throw new NotFoundError(`no DAG ${id} (DAGs: ${dags.map((d) => d.id).join(', ')})`);
      return dag;
    },
    async close(graceMs) {
      await scheduler.stop();
      await executor.close(graceMs);
      await delivery?.drain();
    },
  };
}
