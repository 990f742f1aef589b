/**
 * A `pickwise worker`-like process for tests that kill workers: starts one BullMQ worker over a store served by
 * the test (store-rpc.ts), prints `ready <workerId>` on stdout, and stops on SIGTERM. Run with
 * `node --import tsx test/support/bullmq-worker-child.ts '<options JSON>'`.
 */
import { startBullmqWorker } from '../../src/orchestration/bullmq-worker.ts';
import { testJobDeps } from './bullmq-test-jobs.ts';
import { storeClient } from './store-rpc.ts';

interface ChildOptions {
  readonly redisUrl: string;
  readonly prefix: string;
  readonly pools: Readonly<Record<string, number>>;
  readonly storeUrl: string;
  readonly catalog: { module: string; exportName: string };
  readonly leaseSeconds: number;
  readonly workerId: string;
  readonly lockMs: number;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const worker = await startBullmqWorker({
  url: options.redisUrl,
  prefix: options.prefix,
  pools: options.pools,
  store: storeClient(options.storeUrl),
  deps: testJobDeps(),
  catalog: options.catalog,
  leaseSeconds: options.leaseSeconds,
  workerId: options.workerId,
  lockMs: options.lockMs,
});
await worker.ready();
process.stdout.write(`ready ${worker.workerId}\n`);
process.once('SIGTERM', () => void worker.stop(1_000).then(() => process.exit(0)));
