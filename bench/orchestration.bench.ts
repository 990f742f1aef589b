/**
 * Orchestration benchmark: what scheduling costs per task on the local executor and on BullMQ (a throwaway Debian
 * redis-server on loopback), 1 000 runs of a tiny DAG through the real scheduler (throughput, dispatch latency
 * p50/p99), and the recovery time after `kill -9` of a BullMQ worker process in the middle of a task.
 *
 *   tsx bench/orchestration.bench.ts [--tries 500] [--runs 1000] [--lease 5] [--tick 1]
 *
 * Tries and DAG runs use the built-in NOOP job, so what is measured is the orchestration itself: submit → claim
 * (dispatch latency: the try's `startedAt` − `queuedAt`, as the run history records them) and the whole try.
 * The run history is in memory for the first two parts; the recovery part needs two processes to share it, so it
 * uses a SQLite warehouse. Raw figures go to .bench/orchestration-<time>.json.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { configSchema } from '../src/config/index.ts';
import {
  checkDag,
  createBullmqExecutor,
  createLocalExecutor,
  MemoryOrchestrationStore,
  Scheduler,
  startBullmqWorker,
  WarehouseOrchestrationStore,
  type OrchestrationStore,
  type TaskAttempt,
  type TaskExecutor,
  type TaskInstanceRecord,
} from '../src/orchestration/index.ts';
import { jobParamsError, type JobDeps } from '../src/pipeline/index.ts';
import { Rng, uuidV7 } from '../src/shared/index.ts';
import { silentLogger } from '../src/shared/io.ts';
import { migrateToLatest, openWarehouse } from '../src/warehouse/index.ts';
import { BULLMQ_TEST_JOBS_REF } from '../test/support/bullmq-test-jobs.ts';
import { startRedis } from '../test/support/redis-server.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    tries: { type: 'string', default: '500' },
    runs: { type: 'string', default: '1000' },
    lease: { type: 'string', default: '5' },
    tick: { type: 'string', default: '1' },
  },
});
const TRIES = Number(values.tries);
const RUNS = Number(values.runs);
const LEASE_SECONDS = Number(values.lease);
const TICK_SECONDS = Number(values.tick);
const POOLS = { default: 4 };

const deps: JobDeps = {
  config: configSchema.parse({}),
  logger: silentLogger(),
  store: () => Promise.reject(new Error('NOOP uses no bucket')),
  warehouse: () => Promise.reject(new Error('NOOP uses no warehouse')),
};

interface Latencies {
  readonly count: number;
  readonly seconds: number;
  readonly perSecond: number;
  readonly dispatchP50Ms: number;
  readonly dispatchP99Ms: number;
  readonly tryP50Ms: number;
  readonly tryP99Ms: number;
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function latencies(tasks: readonly TaskInstanceRecord[], seconds: number, count: number): Latencies {
  const dispatch = tasks.map((t) => t.startedAt!.getTime() - t.queuedAt!.getTime()).sort((a, b) => a - b);
  const whole = tasks.map((t) => t.endedAt!.getTime() - t.queuedAt!.getTime()).sort((a, b) => a - b);
  const round = (x: number) => Math.round(x * 10) / 10;
  return {
    count,
    seconds: round(seconds),
    perSecond: round(count / seconds),
    dispatchP50Ms: quantile(dispatch, 0.5),
    dispatchP99Ms: quantile(dispatch, 0.99),
    tryP50Ms: quantile(whole, 0.5),
    tryP99Ms: quantile(whole, 0.99),
  };
}

async function until(what: string, probe: () => Promise<boolean>, timeoutMs = 600_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

/** Part 1: `TRIES` NOOP tries handed straight to an executor (no scheduler): the executor's own overhead per task. */
async function perTask(name: string, make: (store: OrchestrationStore) => Promise<{ executor: TaskExecutor; stop(): Promise<void> }>): Promise<Latencies> {
  const store = new MemoryOrchestrationStore();
  const { executor, stop } = await make(store);
  const now = new Date();
  const runId = uuidV7();
  const tasks = Array.from({ length: TRIES }, (_, i) => `t${i}`);
  await store.createRun(
    { id: runId, dagId: 'bench', runKey: `manual@${runId}`, trigger: 'manual', logicalTime: now, conf: {}, createdAt: now },
    tasks.map((taskId) => ({ taskId, job: 'NOOP', pool: 'default', params: {}, maxTries: 1 })),
  );
  const started = performance.now();
  for (const taskId of tasks) {
    await store.transitionTask({ runId, taskId, from: ['pending'], to: 'queued', at: new Date(), patch: { try: 1 } });
    const attempt: TaskAttempt = {
      runId,
      dagId: 'bench',
      runKey: `manual@${runId}`,
      logicalTime: now.toISOString(),
      taskId,
      try: 1,
      job: 'NOOP',
      params: {},
      pool: 'default',
      timeout: 60,
      upstream: {},
    };
    await executor.submit(attempt);
  }
  await until(`${name} tries`, async () => (await store.taskInstances(runId)).every((t) => t.state === 'success'));
  const seconds = (performance.now() - started) / 1000;
  await stop();
  console.log(`  ${name}: ${TRIES} tries`);
  return latencies(await store.taskInstances(runId), seconds, TRIES);
}

const TINY = checkDag(
  {
    id: 'tiny',
    maxActiveRuns: 50,
    tasks: [
      { id: 'first', job: 'NOOP' },
      { id: 'left', job: 'NOOP', deps: ['first'] },
      { id: 'right', job: 'NOOP', deps: ['first'] },
    ],
  },
  { pools: Object.keys(POOLS), jobParamsError: (job, params) => jobParamsError(job, params), path: 'bench tiny' },
);

/** Pause between two ticks in part 2. */
const TICK_PAUSE_MS = 5;

/** Part 2: `RUNS` runs of a three-task DAG through the real scheduler and an executor, ticking every few milliseconds. */
async function tinyDagRuns(
  make: (store: OrchestrationStore) => Promise<{ executor: TaskExecutor; stop(): Promise<void> }>,
): Promise<Latencies & { readonly runs: number; readonly runsPerSecond: number }> {
  const store = new MemoryOrchestrationStore();
  const { executor, stop } = await make(store);
  const scheduler = new Scheduler({ dags: [TINY], store, executor, clock: () => new Date(), rng: new Rng(1), logger: silentLogger() });
  const started = performance.now();
  const ids: string[] = [];
  for (let i = 0; i < RUNS; i++) ids.push((await scheduler.trigger('tiny')).run.id);
  let done = 0;
  while (done < RUNS) {
    await scheduler.tick();
    // The memory run history answers without I/O: without a pause the loop would starve the worker's Redis I/O.
    await sleep(TICK_PAUSE_MS);
    done = (await store.runs({ dagId: 'tiny', states: ['success', 'failed'] })).length;
    if ((await store.runs({ dagId: 'tiny', states: ['failed'] })).length > 0) throw new Error('a tiny run failed');
  }
  const seconds = (performance.now() - started) / 1000;
  await stop();
  const tasks = (await Promise.all(ids.map((id) => store.taskInstances(id)))).flat();
  return { ...latencies(tasks, seconds, tasks.length), runs: RUNS, runsPerSecond: Math.round((RUNS / seconds) * 10) / 10 };
}

/** Part 3: kill -9 of the worker process holding a task; time until the task succeeds on another worker. */
async function recovery(redisUrl: string): Promise<{ readonly leaseSeconds: number; readonly tickSeconds: number; readonly recoverySeconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), 'pickwise-bench-orch-'));
  const url = `sqlite:${join(dir, 'warehouse.db')}`;
  const warehouse = await openWarehouse({ url });
  await migrateToLatest(warehouse);
  const store = new WarehouseOrchestrationStore(warehouse);
  const prefix = `bench-kill-${Date.now()}`;
  const marker = join(dir, 'hold');
  writeFileSync(marker, '');
  const dag = checkDag(
    {
      id: 'effect',
      tasks: [
        {
          id: 'append',
          job: 'APPEND',
          pool: 'solo',
          params: { file: join(dir, 'effects'), line: 'x', holdWhileExists: marker },
          retry: { retries: 1, delay: 0, factor: 1, maxDelay: 0, jitter: 0 },
        },
      ],
    },
    { pools: ['default', 'solo'], jobParamsError: () => undefined, path: 'bench effect' },
  );
  const pools = { default: 1, solo: 1 };
  const executor = createBullmqExecutor({ url: redisUrl, prefix, pools });
  const scheduler = new Scheduler({ dags: [dag], store, executor, clock: () => new Date(), rng: new Rng(1), logger: silentLogger() });
  const options = {
    redisUrl,
    prefix,
    pools: { solo: 1 },
    warehouseUrl: url,
    catalog: BULLMQ_TEST_JOBS_REF,
    leaseSeconds: LEASE_SECONDS,
    workerId: 'victim',
    lockMs: 5_000,
  };
  const victim = spawn(process.execPath, ['--import', 'tsx', 'test/support/bullmq-worker-child.ts', JSON.stringify(options)], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((ready) => victim.stdout.on('data', (d: Buffer) => d.toString().includes('ready') && ready()));
  // The survivor drives the scheduler through BullMQ's tick, as a deployment of workers does.
  const survivor = await startBullmqWorker({
    url: redisUrl,
    prefix,
    pools: { default: 1 },
    store,
    deps,
    catalog: BULLMQ_TEST_JOBS_REF,
    leaseSeconds: LEASE_SECONDS,
    onTick: () => scheduler.tick(),
    tickSeconds: TICK_SECONDS,
  });
  await survivor.ready();
  const { run } = await scheduler.trigger('effect');
  await until('the victim to claim', async () => (await store.taskInstances(run.id))[0]?.worker === 'victim');
  const soloSurvivor = await startBullmqWorker({
    url: redisUrl,
    prefix,
    pools: { solo: 1 },
    store,
    deps,
    catalog: BULLMQ_TEST_JOBS_REF,
    leaseSeconds: LEASE_SECONDS,
  });
  await soloSurvivor.ready();
  const exited = new Promise((done) => victim.once('exit', done));
  victim.kill('SIGKILL');
  const killedAt = performance.now();
  await exited;
  rmSync(marker);
  await until('the run to succeed', async () => (await store.run(run.id))?.state === 'success', 300_000);
  const recoverySeconds = Math.round((performance.now() - killedAt) / 100) / 10;
  await Promise.all([survivor.stop(0), soloSurvivor.stop(0)]);
  await executor.close();
  await warehouse.close();
  rmSync(dir, { recursive: true, force: true });
  return { leaseSeconds: LEASE_SECONDS, tickSeconds: TICK_SECONDS, recoverySeconds };
}

const redis = await startRedis();
try {
  console.log(`orchestration benchmark on ${cpus().length} cores (${cpus()[0]?.model ?? 'unknown CPU'}), Node ${process.version}`);
  const localExecutor = async (store: OrchestrationStore) => {
    const executor = createLocalExecutor({ store, deps, pools: POOLS, leaseSeconds: 30 });
    return { executor, stop: () => executor.close(0) };
  };
  const bullmqExecutor = async (store: OrchestrationStore) => {
    const prefix = `bench-${Date.now()}`;
    const executor = createBullmqExecutor({ url: redis.url, prefix, pools: POOLS });
    const worker = await startBullmqWorker({ url: redis.url, prefix, pools: POOLS, store, deps, leaseSeconds: 30, concurrency: POOLS.default });
    await worker.ready();
    return { executor, stop: async () => (await worker.stop(0), await executor.close()) };
  };
  console.log('1. overhead per task (NOOP tries straight to the executor, memory run history)');
  const local = await perTask('local', localExecutor);
  const bullmq = await perTask('bullmq', bullmqExecutor);
  console.log(`2. ${RUNS} runs of a three-task DAG (first → left, right) through the scheduler (a tick every ${TICK_PAUSE_MS} ms), local and BullMQ`);
  const localDagRuns = await tinyDagRuns(localExecutor);
  const dagRuns = await tinyDagRuns(bullmqExecutor);
  console.log(`3. recovery after kill -9 of a BullMQ worker mid-task (lease ${LEASE_SECONDS} s, tick ${TICK_SECONDS} s, SQLite run history)`);
  const recovered = await recovery(redis.url);

  const row = (name: string, l: Latencies) =>
    `${name.padEnd(26)}${String(l.perSecond).padStart(10)}${String(l.dispatchP50Ms).padStart(10)}${String(l.dispatchP99Ms).padStart(10)}${String(l.tryP50Ms).padStart(10)}${String(l.tryP99Ms).padStart(10)}`;
  console.log(
    `\n${''.padEnd(26)}${'tries/s'.padStart(10)}${'disp p50'.padStart(10)}${'disp p99'.padStart(10)}${'try p50'.padStart(10)}${'try p99'.padStart(10)}  (ms)`,
  );
  console.log(row('local, per task', local));
  console.log(row('bullmq, per task', bullmq));
  console.log(row(`local, ${RUNS} tiny DAG runs`, localDagRuns));
  console.log(row(`bullmq, ${RUNS} tiny DAG runs`, dagRuns));
  console.log(
    `tiny DAG runs: local ${localDagRuns.runsPerSecond} runs/s (${localDagRuns.seconds} s), bullmq ${dagRuns.runsPerSecond} runs/s (${dagRuns.seconds} s for ${RUNS})`,
  );
  console.log(`recovery after kill -9: ${recovered.recoverySeconds} s (lease ${recovered.leaseSeconds} s, tick ${recovered.tickSeconds} s)`);
  mkdirSync(join(repoRoot, '.bench'), { recursive: true });
  const out = join(repoRoot, '.bench', `orchestration-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    out,
    JSON.stringify({ node: process.version, cpus: cpus().length, tries: TRIES, local, bullmq, localDagRuns, dagRuns, recovery: recovered }, null, 2),
  );
  console.log(`raw figures: ${out}`);
} finally {
  await redis.stop();
}
