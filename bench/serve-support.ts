/**
 * Helpers of the benchmarks that drive a real `pickwise serve` (bench/serve.bench.ts, bench/feedback.bench.ts):
 * a random ALS model of the serving anchor's shape, the warehouse's services, starting the server as its own
 * process on loopback, and loading it with autocannon.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { AlsRecommender } from '../src/models/als/index.ts';
import { csrFromCoo, encodeArtifact } from '../src/models/core/index.ts';
import { configSchema } from '../src/config/index.ts';
import { runIngestJob } from '../src/pipeline/index.ts';
import { ModelBundleStore } from '../src/registry/index.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { Rng } from '../src/shared/rng.ts';
import { type LocalObjectStore } from '../src/storage/index.ts';
import { migrateToLatest, openWarehouse } from '../src/warehouse/index.ts';
import { repoRoot } from './ingest-support.ts';

export const USERS = 50_000;
export const ITEMS = 3_000;
export const FACTORS = 64;

/** User `u` of the model (`u000000`…). */
export const userId = (u: number): string => `u${String(u).padStart(6, '0')}`;
/** Service `i` of the model (`s00000`…). */
export const serviceId = (i: number): string => `s${String(i).padStart(5, '0')}`;

/** A random ALS model of the anchor's shape saved as a bundle (users `u000000`…, services `s00000`…); its size in bytes. */
export async function saveModel(store: LocalObjectStore, seed: number, version: string): Promise<number> {
  const rng = new Rng(seed);
  const userFactors = Float32Array.from({ length: USERS * FACTORS }, () => rng.normal());
  const itemFactors = Float32Array.from({ length: ITEMS * FACTORS }, () => rng.normal());
  const model = AlsRecommender.fromArtifact({
    header: { kind: 'als', version: 1, params: { factors: FACTORS }, shapes: { userFactors: [USERS, FACTORS], itemFactors: [ITEMS, FACTORS] } },
    buffers: { userFactors, itemFactors },
  });
  const rowIdx = new Int32Array(USERS * 20);
  const colIdx = new Int32Array(USERS * 20);
  for (let u = 0; u < USERS; u++)
    for (let j = 0; j < 20; j++) {
      rowIdx[u * 20 + j] = u;
      colIdx[u * 20 + j] = rng.uniformInt(ITEMS);
    }
  const seen = csrFromCoo({ rows: USERS, cols: ITEMS, rowIdx, colIdx, duplicates: 'max' });
  const bytes = encodeArtifact(model.toArtifact());
  await new ModelBundleStore(store).save(
    {
      manifest: {
        version,
        kind: 'als',
        params: { factors: FACTORS },
        trainedAt: new Date().toISOString(),
        users: USERS,
        items: ITEMS,
        interactions: seen.indices.length,
      },
      model: bytes,
      userIds: Array.from({ length: USERS }, (_, u) => userId(u)),
      itemIds: Array.from({ length: ITEMS }, (_, i) => serviceId(i)),
      seen,
    },
    `artifacts/${version}`,
  );
  return bytes.length;
}

/** The model's users and services (names, categories, regions), ingested into the warehouse at `url` (migrated first). */
export async function seedCatalogue(store: LocalObjectStore, url: string): Promise<void> {
  const warehouse = await openWarehouse({ url });
  try {
    await migrateToLatest(warehouse);
    const services = Array.from(
      { length: ITEMS },
      (_, i) => `${serviceId(i)},Service ${i} Studio,category-${i % 15},region-${i % 20},30000,2023-01-01T00:00:00Z`,
    );
    await store.put('landing/services.csv', `service_id,name,category,region,price,created_at\n${services.join('\n')}\n`);
    const users = Array.from({ length: USERS }, (_, u) => `${userId(u)},2023-01-01T00:00:00Z,F,1990,region-${u % 20}`);
    await store.put('landing/users.csv', `user_id,signup_at,gender,birth_year,region\n${users.join('\n')}\n`);
    await runIngestJob({ store, warehouse, config: configSchema.parse({}).ingest, feedback: configSchema.parse({}).feedback, logger: silentLogger() });
  } finally {
    await warehouse.close();
  }
}

/** Starts `pickwise serve` on 127.0.0.1:`port` as its own process (stderr passed through) and waits until it is ready. */
export async function startServe(o: {
  home: string;
  port: number;
  env?: NodeJS.ProcessEnv;
  args?: readonly string[];
  /** Options for node itself, e.g. `--cpu-prof`. */
  nodeArgs?: readonly string[];
  /** `serve` (default) or `up` (the API with the scheduler in the same process). */
  command?: 'serve' | 'up';
}): Promise<ChildProcess> {
  const env = { ...process.env, PICKWISE_HOME: o.home, PICKWISE_LOG__LEVEL: 'warn', ...o.env };
  const server = spawn(
    process.execPath,
    [...(o.nodeArgs ?? []), join(repoRoot, 'bin', 'pickwise.js'), o.command ?? 'serve', '--port', String(o.port), ...(o.args ?? [])],
    {
      env,
      stdio: ['ignore', 'ignore', 'inherit'],
    },
  );
  try {
    await waitFor(`http://127.0.0.1:${o.port}/readyz`, server);
  } catch (error) {
    server.kill('SIGTERM');
    throw error;
  }
  return server;
}

/** Stops a child with SIGTERM and waits until it has exited (at most `ms`, then SIGKILL). */
export async function stopChild(child: ChildProcess, ms = 30_000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  await exited;
  clearTimeout(timer);
}

export async function waitFor(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} not ready after 120 s`);
}

export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** CPU seconds a process has used so far: its main thread, and all its threads (from /proc; Linux clock ticks of 1/100 s). */
export async function cpuSeconds(pid: number): Promise<{ main: number; total: number }> {
  const ticks = (stat: string) => {
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  const total = ticks(await readFile(`/proc/${pid}/stat`, 'utf8'));
  const main = ticks(await readFile(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
  return { main: main / 100, total: total / 100 };
}

export interface Load {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly requests: number;
}

/** GET load for `seconds` over `connections` connections, a random user per request; `during` runs alongside. */
export async function load(
  base: string,
  path: (user: string) => string,
  o: { connections: number; seconds: number; during?: () => Promise<void> },
): Promise<Load> {
  const rng = new Rng(7);
  const run = autocannon({
    url: base,
    connections: o.connections,
    duration: o.seconds,
    requests: [{ setupRequest: (req) => ({ ...req, path: path(userId(rng.uniformInt(USERS))) }) }],
  });
  await o.during?.();
  const r = await run;
  return {
    requestsPerSecond: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    errors: r.errors + r.timeouts,
    non2xx: r.non2xx,
    requests: r.requests.total,
  };
}
