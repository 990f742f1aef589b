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
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LocalObjectStore } from '../src/storage/index.ts';
import { load as loadWith, rssMb, saveModel, seedCatalogue, startServe, waitFor, type Load } from './serve-support.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '32' } } });
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const load = (base: string, path: (user: string) => string, during?: () => Promise<void>): Promise<Load> =>
  loadWith(base, path, { connections, seconds, ...(during ? { during } : {}) });

console.log(`machine: ${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version}; ${connections} connections, ${seconds} s per run`);
const home = await mkdtemp(join(tmpdir(), 'pickwise-serve-bench-'));
const children: ChildProcess[] = [];
try {
  const store = new LocalObjectStore(join(home, 'bucket'));
  const modelBytes = await saveModel(store, 1, 'v1');
  // The model's users and services with names, categories and regions, for the names beside ids.
  await seedCatalogue(store, `sqlite:${join(home, 'pickwise.db')}`);
  const port = 18_000 + Math.floor(Math.random() * 1000);
  const server = await startServe({ home, port, args: ['--poll-seconds', '1'] });
  children.push(server);
  const base = `http://127.0.0.1:${port}`;
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
