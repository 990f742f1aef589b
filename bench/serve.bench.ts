/**
 * Serving benchmark: `pickwise serve` beside the seed's FastAPI + uvicorn + numpy server
 * (../shared/anchors/seed_serve_fastapi.py) on the same model shape, in the same run: 50 000 users × 3 000
 * services × 64 factors (random factors, 20 seen services per user), random users, k = 10, 32 concurrent
 * connections from autocannon on this machine. Then a hot swap under the same load (a newer model appears;
 * the server polls every second) must fail no request. The warehouse holds the services, so every list
 * carries each service's name and category (the anchor's lists are ids and scores only).
 *
 *   npm run bench:serve -- [--seconds 10] [--connections 32]
 *
 * Anchor: apt-get install -y python3-fastapi python3-uvicorn python3-numpy (run with /usr/bin/python3).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { AlsRecommender } from '../src/models/als/index.ts';
import { csrFromCoo, encodeArtifact } from '../src/models/core/index.ts';
import { configSchema } from '../src/config/index.ts';
import { runIngestJob } from '../src/pipeline/index.ts';
import { ModelBundleStore } from '../src/registry/index.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { Rng } from '../src/shared/rng.ts';
import { LocalObjectStore } from '../src/storage/index.ts';
import { migrateToLatest, openWarehouse } from '../src/warehouse/index.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const USERS = 50_000;
const ITEMS = 3_000;
const FACTORS = 64;

/** A random ALS model of the anchor's shape saved as a bundle (users `u000000`…, services `s00000`…). */
async function saveModel(store: LocalObjectStore, seed: number, version: string): Promise<number> {
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
      userIds: Array.from({ length: USERS }, (_, u) => `u${String(u).padStart(6, '0')}`),
      itemIds: Array.from({ length: ITEMS }, (_, i) => `s${String(i).padStart(5, '0')}`),
      seen,
    },
    `artifacts/${version}`,
  );
  return bytes.length;
}

async function waitFor(url: string, child: ChildProcess): Promise<void> {
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

async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

interface Load {
  readonly requestsPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly errors: number;
  readonly non2xx: number;
  readonly requests: number;
}

async function load(base: string, path: (user: string) => string, during?: () => Promise<void>): Promise<Load> {
  const rng = new Rng(7);
  const run = autocannon({
    url: base,
    connections,
    duration: seconds,
    requests: [{ setupRequest: (req) => ({ ...req, path: path(`u${String(rng.uniformInt(USERS)).padStart(6, '0')}`) }) }],
  });
  await during?.();
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

console.log(`machine: ${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version}; ${connections} connections, ${seconds} s per run`);
const home = await mkdtemp(join(tmpdir(), 'pickwise-serve-bench-'));
const children: ChildProcess[] = [];
try {
  const store = new LocalObjectStore(join(home, 'bucket'));
  const modelBytes = await saveModel(store, 1, 'v1');
  const warehouse = await openWarehouse({ url: `sqlite:${join(home, 'pickwise.db')}` });
  await migrateToLatest(warehouse);
  // The model's services with names, categories and regions, for the names beside ids.
  const services = Array.from(
    { length: ITEMS },
    (_, i) => `s${String(i).padStart(5, '0')},Service ${i} Studio,category-${i % 15},region-${i % 20},30000,2023-01-01T00:00:00Z`,
  );
  await store.put('landing/services.csv', `service_id,name,category,region,price,created_at\n${services.join('\n')}\n`);
  await runIngestJob({ store, warehouse, config: configSchema.parse({}).ingest, logger: silentLogger() });
  await warehouse.close();
  const port = 18_000 + Math.floor(Math.random() * 1000);
  const env = { ...process.env, PICKWISE_HOME: home, PICKWISE_LOG__LEVEL: 'warn' };
  const server = spawn(process.execPath, [join(repoRoot, 'bin', 'pickwise.js'), 'serve', '--port', String(port), '--poll-seconds', '1'], {
    env,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(server);
  const base = `http://127.0.0.1:${port}`;
  await waitFor(`${base}/readyz`, server);
  await load(base, (u) => `/v1/users/${u}/recommendations?k=10`); // warm-up
  const ours = await load(base, (u) => `/v1/users/${u}/recommendations?k=10`);
  const serverRss = await rssMb(server.pid!);

  // Hot swap under load: a newer model appears a third of the way in.
  const swap = await load(
    base,
    (u) => `/v1/users/${u}/recommendations?k=10`,
    async () => {
      await new Promise((r) => setTimeout(r, (seconds * 1000) / 3));
      await saveModel(store, 2, 'v2');
    },
  );
  const current = (await (await fetch(`${base}/v1/models/current`)).json()) as { version: string };

  let anchor: Load | undefined;
  let anchorRss: number | undefined;
  try {
    const aport = port + 1;
    const py = spawn('/usr/bin/python3', [resolve(repoRoot, '..', 'shared', 'anchors', 'seed_serve_fastapi.py'), String(aport)], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    children.push(py);
    await waitFor(`http://127.0.0.1:${aport}/recommendations/u000001?k=10`, py);
    await load(`http://127.0.0.1:${aport}`, (u) => `/recommendations/${u}?k=10`);
    anchor = await load(`http://127.0.0.1:${aport}`, (u) => `/recommendations/${u}?k=10`);
    anchorRss = await rssMb(py.pid!);
  } catch (error) {
    console.log(`anchor not run (${(error as Error).message}): apt-get install -y python3-fastapi python3-uvicorn python3-numpy`);
  }

  const row = (name: string, l: Load | undefined, rss?: number) =>
    l
      ? `${name.padEnd(28)}| ${l.requestsPerSecond.toFixed(0).padStart(9)} | ${String(l.p50).padStart(7)} | ${String(l.p99).padStart(7)} | ${String(l.errors + l.non2xx).padStart(6)} | ${rss ? rss.toFixed(0).padStart(7) : '      —'}`
      : `${name.padEnd(28)}| not run`;
  console.log('\nserver                      |     req/s | p50 ms  | p99 ms  | failed | RSS MB');
  console.log('----------------------------|-----------|---------|---------|--------|-------');
  console.log(row('pickwise serve', ours, serverRss));
  console.log(row('pickwise, hot swap mid-run', swap));
  console.log(row('seed FastAPI + numpy', anchor, anchorRss));
  if (anchor)
    console.log(
      `\nthroughput ${(ours.requestsPerSecond / anchor.requestsPerSecond).toFixed(1)}× the anchor's; model file ${(modelBytes / 2 ** 20).toFixed(1)} MB; after the swap the server answers with model ${current.version}`,
    );
  await mkdir(join(repoRoot, '.bench'), { recursive: true });
  await writeFile(
    join(repoRoot, '.bench', `serve-${new Date().toISOString().replace(/[:.]/g, '-')}.json`),
    JSON.stringify({ connections, seconds, ours, swap, anchor, serverRss, anchorRss, modelBytes, swappedTo: current.version }, null, 2),
  );
} finally {
  for (const c of children) c.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  await rm(home, { recursive: true, force: true });
}
