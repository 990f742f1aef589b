import { z } from 'zod';
import { createWorkerId, openOrchestration, startBullmqWorker, WarehouseOrchestrationStore } from '../../orchestration/index.ts';
import { ConfigError } from '../../shared/index.ts';
import { defineCommand, stopSignal } from '../command.ts';

/** Seconds running tries get to finish when a long-running process is asked to stop. */
const STOP_GRACE_MS = 30_000;

export const schedulerCommand = defineCommand({
  name: 'scheduler',
  description: 'Run the scheduler until stopped: cron and landing-file runs, retries, deadlines (tries run here, or on BullMQ workers)',
  options: z.object({}),
  async run(runtime): Promise<{ stoppedBy: string; executor: string }> {
    const orchestration = await openOrchestration({ deps: runtime });
    const { tickSeconds } = runtime.config.orchestration;
    orchestration.scheduler.start({ tickSeconds });
    process.stderr.write(
      `pickwise scheduler: ${orchestration.dags.length} DAG(s), ticking every ${tickSeconds} s, tries ${orchestration.executor.kind === 'local' ? 'run in this process' : 'go to BullMQ workers'}\n`,
    );
    const stoppedBy = await stopSignal();
    await orchestration.close(STOP_GRACE_MS);
    return { stoppedBy, executor: orchestration.executor.kind };
  },
  print(r, io) {
    io.out(`scheduler stopped (${r.stoppedBy})`);
  },
});

export const workerCommand = defineCommand({
  name: 'worker',
  description: 'Run tries of tasks from the BullMQ queues (orchestration.executor.url = redis://…) until stopped; any worker also drives the scheduler tick',
  options: z.object({
    pools: z.string().min(1).optional().describe('comma-separated pools to serve (default: every pool of orchestration.pools)'),
    concurrency: z.coerce.number().int().positive().max(256).optional().describe('tries of one pool this process runs at once (default 1)'),
  }),
  async run(runtime, o): Promise<{ stoppedBy: string; workerId: string; pools: string[] }> {
    const { executor, pools, leaseSeconds, tickSeconds } = runtime.config.orchestration;
    if (executor.url === 'local') {
      throw new ConfigError(
        'pickwise worker takes tries from BullMQ queues: set orchestration.executor.url to redis://host:port (PICKWISE_ORCHESTRATION__EXECUTOR__URL); with the local executor, pickwise scheduler or pickwise up runs them',
      );
    }
    const names = o.pools === undefined ? Object.keys(pools) : o.pools.split(',').map((p) => p.trim());
    const unknown = names.filter((p) => pools[p] === undefined);
    if (unknown.length > 0) throw new ConfigError(`--pools: unknown pool(s) ${unknown.join(', ')}; orchestration.pools has ${Object.keys(pools).join(', ')}`);
    const orchestration = await openOrchestration({ deps: runtime });
    const workerId = createWorkerId();
    const worker = await startBullmqWorker({
      url: executor.url,
      prefix: executor.prefix,
      pools: Object.fromEntries(names.map((p) => [p, pools[p]!])),
      store: new WarehouseOrchestrationStore(await runtime.warehouse()),
      deps: runtime,
      leaseSeconds,
      tickSeconds,
      workerId,
      ...(o.concurrency !== undefined ? { concurrency: o.concurrency } : {}),
      onTick: () => orchestration.scheduler.tick(),
    });
    await worker.ready();
    process.stderr.write(`pickwise worker ${workerId}: pools ${names.join(', ')}\n`);
    const stoppedBy = await stopSignal();
    await worker.stop(STOP_GRACE_MS);
    await orchestration.close();
    return { stoppedBy, workerId, pools: names };
  },
  print(r, io) {
    io.out(`worker ${r.workerId} stopped (${r.stoppedBy})`);
  },
});
