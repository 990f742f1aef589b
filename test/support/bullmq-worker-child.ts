/**
 * A `pickwise worker`-like process for tests that kill workers: starts one BullMQ worker over the run history in
 * the warehouse at `warehouseUrl` (migrated by the test), prints `ready <workerId>` on stdout, and stops on SIGTERM. Run with
 * `node --import tsx test/support/bullmq-worker-child.ts '<options JSON>'`.
 */
import { startBullmqWorker } from '../../src/orchestration/bullmq-worker.ts';
import { WarehouseOrchestrationStore } from '../../src/orchestration/warehouse-orchestration-store.ts';
import { openWarehouse } from '../../src/warehouse/index.ts';
import { testJobDeps } from './bullmq-test-jobs.ts';

interface ChildOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly pools: Readonly<Record<string, number>>;
  readonly warehouseUrl: string;
  readonly catalog: { module: string; exportName: string };
  readonly leaseSeconds: number;
  readonly workerId: string;
  readonly lockMs: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const warehouse = await openWarehouse({ url: options.warehouseUrl });
const worker = await startBullmqWorker({
  url: options.redisUrl,
  prefix: options.prefix,
  pools: options.pools,
  store: new WarehouseOrchestrationStore(warehouse),
  deps: testJobDeps(),
  catalog: options.catalog,
  leaseSeconds: options.leaseSeconds,
  workerId: options.workerId,
  lockMs: options.lockMs,
});
await worker.ready();
process.stdout.write(`ready ${worker.workerId}\n`);
process.once(
  'SIGTERM',
  () =>
    void worker
      .stop(1_000)
      .then(() => warehouse.close())
      .then(() => process.exit(0)),
);
