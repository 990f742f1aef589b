/**
 * Speed at a large catalogue: landing files of the Gowalla shape (29 858 users × 40 981 services, 810 128
 * distinct pairs, power-law popularity, long-tailed activity; see catalog-landing.ts) go through the real CLI
 * (`pickwise ingest`, `train`, `recommend --all`) in a fresh home, beside the `implicit` anchor run in the same
 * run on the same files (../shared/anchors/implicit/run_implicit.py, 2 threads, OPENBLAS_NUM_THREADS=1):
 * - ALS at equal settings (64 factors, 15 iterations): one fit, `train` end to end (hold-out split and
 *   evaluation, popularity baseline, final fit), and `recommend --all` (the command's clock and the process);
 * - every model kind of the catalogue with its defaults (`train --holdout 0`, then `recommend --all`): fit and
 *   recommend-all seconds and each process's peak memory (maximum resident set, from /usr/bin/time);
 * - serving: p50 / p99 of one user's top 10 in process (the trained model loaded as the API loads it,
 *   `topForUser` of 2 000 random users).
 *
 *   npm run bench:catalog [-- --models als,bpr --anchors als,bpr,cosine,bm25 --keep]
 *
 * Anchor: bash ../shared/anchors/implicit/build.sh /tmp/implicit-anchor (once).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { MODEL_KINDS } from '../src/models/index.ts';
import { loadTrainedModel, topForUser } from '../src/registry/index.ts';
import { LocalObjectStore } from '../src/storage/index.ts';
import { writeCatalogLanding } from './catalog-landing.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cli = join(repoRoot, 'bin', 'pickwise.js');
const anchorDir = '/tmp/implicit-anchor';
const anchorRunner = resolve(repoRoot, '..', 'shared', 'anchors', 'implicit', 'run_implicit.py');
const { values } = parseArgs({
  options: {
    models: { type: 'string', default: MODEL_KINDS.join(',') },
    anchors: { type: 'string', default: 'als' },
    keep: { type: 'boolean', default: false },
  },
});
const models = values.models.split(',').filter((m) => m !== '');
const anchors = values.anchors.split(',').filter((a) => a !== '');

interface Timed {
  stdout: string;
  seconds: number;
  peakMb: number;
}

/** Runs a command under /usr/bin/time: wall seconds and peak resident memory of the process. */
function timed(command: string, args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<Timed> {
  return new Promise((done, fail) => {
    const child = spawn('/usr/bin/time', ['-f', '@@time %e %M', command, ...args], { cwd: options.cwd, env: { ...process.env, ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => {
      const m = /@@time ([\d.]+) (\d+)/.exec(stderr);
      if (code !== 0 || !m) fail(new Error(`${command} ${args.join(' ')} exited ${code}: ${stderr.slice(-2000)}`));
      else done({ stdout, seconds: Number(m[1]), peakMb: Number(m[2]) / 1024 });
    });
  });
}

const pickwise = (home: string, args: readonly string[]) =>
  timed(process.execPath, [cli, '--json', ...args], { cwd: home, env: { PICKWISE_HOME: join(home, '.pickwise'), PICKWISE_LOG__LEVEL: 'warn' } });

interface TrainJson {
  holdout?: { fitSeconds: number };
  saved?: { prefix: string; fitSeconds: number };
  registered?: { name: string; version: number };
}

const fmt = (x: number, digits = 2) => x.toFixed(digits);
const started = new Date();
console.log(`catalog bench ${started.toISOString()}: machine ${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version}`);
const home = await mkdtemp(join(tmpdir(), 'pickwise-catalog-bench-'));
try {
  const landing = join(home, '.pickwise', 'bucket', 'landing');
  const shape = await writeCatalogLanding(landing);
  console.log(`landing: ${shape.users} users × ${shape.services} services × ${shape.reservations} reservations (distinct pairs) in ${landing}`);
  await pickwise(home, ['db', 'migrate']);
  const ingest = await pickwise(home, ['ingest']);
  console.log(`pickwise ingest: ${fmt(ingest.seconds)} s, peak ${fmt(ingest.peakMb, 0)} MB`);

  const implicit: Record<string, { fit_seconds: number; recommend_all_seconds: number; peakMb: number }> = {};
  if (anchors.length > 0 && !existsSync(anchorDir)) console.log(`no ${anchorDir}: build it with bash ../shared/anchors/implicit/build.sh ${anchorDir}`);
  else {
    for (const algo of anchors) {
      const r = await timed('/usr/bin/python3', [anchorRunner, landing, algo, join(home, `implicit-${algo}.csv`), '--k', '10'], {
        cwd: home,
        env: { PYTHONPATH: anchorDir, OPENBLAS_NUM_THREADS: '1' },
      });
      implicit[algo] = { ...(JSON.parse(r.stdout.trim().split('\n').pop()!) as { fit_seconds: number; recommend_all_seconds: number }), peakMb: r.peakMb };
      console.log(
        `implicit ${algo}: fit ${fmt(implicit[algo].fit_seconds)} s, recommend-all ${fmt(implicit[algo].recommend_all_seconds)} s, peak ${fmt(r.peakMb, 0)} MB`,
      );
    }
  }

  // ALS at implicit's settings: train end to end (hold-out + baseline + final fit), then recommend --all.
  const alsArgs = ['--algo', 'als', '--factors', '64', '--iterations', '15', '--regularization', '0.05', '--alpha', '10'];
  const train = await pickwise(home, ['train', ...alsArgs]);
  const trained = JSON.parse(train.stdout) as TrainJson;
  const fit = trained.saved!.fitSeconds;
  const all = await pickwise(home, [
    'recommend',
    '--all',
    '--out',
    join(home, 'als.csv'),
    '--model',
    `${trained.registered!.name}@v${trained.registered!.version}`,
  ]);
  const clock = (JSON.parse(all.stdout) as { seconds: number }).seconds;
  const anchor = implicit['als'];
  const vs = (x: number, y: number | undefined) => (y === undefined ? '' : ` (${fmt(x / y)}× implicit's ${fmt(y)} s)`);
  console.log(`\nALS, 64 factors, 15 iterations, 2 threads:`);
  console.log(`  one fit (train's final fit): ${fmt(fit)} s${vs(fit, anchor?.fit_seconds)}`);
  console.log(`  train end to end: ${fmt(train.seconds)} s = ${fmt(train.seconds / fit)}× one fit (hold-out fit ${fmt(trained.holdout?.fitSeconds ?? 0)} s)`);
  console.log(
    `  recommend --all: command ${fmt(clock)} s${vs(clock, anchor?.recommend_all_seconds)}; process ${fmt(all.seconds)} s${vs(all.seconds, anchor?.recommend_all_seconds)}`,
  );

  // Every model kind with its defaults: fit, recommend-all, peak memory, serving latency.
  const rows: string[] = [];
  const store = new LocalObjectStore(join(home, '.pickwise', 'bucket'));
  for (const kind of models) {
    const t = await pickwise(home, ['train', '--algo', kind, '--holdout', '0']);
    const r = JSON.parse(t.stdout) as TrainJson;
    const a = await pickwise(home, ['recommend', '--all', '--out', join(home, `${kind}.csv`), '--model', `${r.registered!.name}@v${r.registered!.version}`]);
    const serving = await servingLatency(store, r.saved!.prefix);
    const anchorFor = { als: 'als', bpr: 'bpr', 'item-knn': 'cosine' }[kind as string];
    const im = anchorFor === undefined ? undefined : implicit[anchorFor];
    rows.push(
      `| ${kind} | ${fmt(r.saved!.fitSeconds)} | ${fmt((JSON.parse(a.stdout) as { seconds: number }).seconds)} | ${fmt(a.seconds)} | ` +
        `${fmt(Math.max(t.peakMb, a.peakMb), 0)} | ${fmt(serving.p50, 1)} / ${fmt(serving.p99, 1)} | ` +
        `${im ? `${anchorFor}: ${fmt(im.fit_seconds)} / ${fmt(im.recommend_all_seconds)} / ${fmt(im.peakMb, 0)}` : '—'} |`,
    );
  }
  console.log(`\nEvery model with its defaults (train --holdout 0; seconds; peak MB = the larger of train's and recommend's processes):`);
  console.log('| model | fit s | recommend --all s (command) | (process) | peak MB | one user p50 / p99 ms | implicit fit / rec-all s / peak MB |');
  console.log('|---|---|---|---|---|---|---|');
  for (const row of rows) console.log(row);
  console.log(`\nfinished ${new Date().toISOString()} (${fmt((Date.now() - started.getTime()) / 1000, 0)} s)`);
} finally {
  if (values.keep) console.log(`kept ${home}`);
  else await rm(home, { recursive: true, force: true });
}

/** p50 / p99 milliseconds of one user's top 10, the model loaded as the API loads it, 2 000 random users. */
async function servingLatency(store: LocalObjectStore, prefix: string): Promise<{ p50: number; p99: number }> {
  const loaded = await loadTrainedModel(store, prefix);
  const times: number[] = [];
  let seed = 12345;
  for (let n = 0; n < 2200; n++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    const userId = loaded.userIds[seed % loaded.userIds.length]!;
    const t = performance.now();
    topForUser(loaded, userId, 10);
    if (n >= 200) times.push(performance.now() - t); // the first 200 warm the JIT
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(times.length / 2)]!, p99: times[Math.floor(times.length * 0.99)]! };
}
