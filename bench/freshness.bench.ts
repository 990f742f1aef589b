/**
 * Freshness benchmark: a daily reservations file landing on a warehouse that already holds a trained, served
 * model, until a user of that file sees the change in `pickwise serve`'s list (the services they just reserved
 * left out, the list recomputed) and in `pickwise recommend --user`, without retraining. Each phase is timed
 * from the file's arrival in the landing folder: `pickwise ingest` (its own process), then the served list (polled
 * every 100 ms), then `pickwise recommend --user`. With `--up`, nobody runs a command: `pickwise up` (the API and
 * the local scheduler in one process) finds the file with its landing sensor and runs the on-landing DAG (ingest,
 * incremental features), and the run's own timings come from its history.
 *
 *   npm run bench:freshness -- [--size 1m|100k] [--daily 10000] [--freshness 5] [--up [--tick 5]] [--keep]
 *
 * Sizes: 100k = 5 000 users, 500 services, 100 000 reservations; 1m = 50 000 users, 3 000 services, 1 000 000
 * reservations (the issue's figure). The set-up (generate, ingest, train ALS) is timed too but is not part of the
 * figure. SQLite (the embedded default). Raw results go to `.bench/freshness-<timestamp>.json`.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { FreshHistoryReader, loadTrainedModel } from '../src/registry/index.ts';
import { Rng } from '../src/shared/rng.ts';
import { LocalObjectStore } from '../src/storage/index.ts';
import { openWarehouse } from '../src/warehouse/index.ts';
import { repoRoot } from './ingest-support.ts';
import { startServe, stopChild } from './serve-support.ts';

const SIZES: Readonly<Record<string, { users: number; services: number; reservations: number }>> = {
  '100k': { users: 5_000, services: 500, reservations: 100_000 },
  '1m': { users: 50_000, services: 3_000, reservations: 1_000_000 },
};
const cli = join(repoRoot, 'bin', 'pickwise.js');

const { values: args } = parseArgs({
  options: {
    size: { type: 'string', default: '1m' },
    daily: { type: 'string', default: '10000' },
    freshness: { type: 'string', default: '5' },
    port: { type: 'string', default: '18931' },
    keep: { type: 'boolean', default: false },
    up: { type: 'boolean', default: false },
    tick: { type: 'string', default: '5' },
  },
});
const size = SIZES[args.size];
if (size === undefined) throw new Error(`--size is one of ${Object.keys(SIZES).join(', ')}`);
const daily = Number(args.daily);

/** Runs `pickwise ARGS` in `home`; its wall seconds and stdout. Fails loudly on a non-zero exit. */
async function pickwise(home: string, argv: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ seconds: number; stdout: string }> {
  const started = performance.now();
  const child = spawn(process.execPath, [cli, ...argv], { cwd: home, env: { ...process.env, PICKWISE_HOME: home, PICKWISE_LOG__LEVEL: 'warn', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  if (code !== 0) throw new Error(`pickwise ${argv.join(' ')} exited ${code}: ${stderr.slice(-2000)}`);
  return { seconds: (performance.now() - started) / 1000, stdout };
}

/**
 * What a server's refresh costs on this warehouse, in process: the first read after the daily file (its rows since
 * the model's watermark, as a server's first read after a file), then a read when nothing moved (the change mark
 * alone: what every interval costs between files). Medians of 5.
 */
async function refreshCosts(home: string, prefix: string): Promise<Record<string, number>> {
  const warehouse = await openWarehouse({ url: `sqlite:${join(home, 'pickwise.db')}` });
  try {
    const loaded = await loadTrainedModel(new LocalObjectStore(join(home, 'bucket')), prefix);
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const first: number[] = [];
    const idle: number[] = [];
    let rows = 0;
    for (let run = 0; run < 5; run++) {
      const reader = new FreshHistoryReader({ warehouse, loaded, maxUsers: 100_000 });
      let t = performance.now();
      rows = (await reader.refresh()).rows;
      first.push(performance.now() - t);
      t = performance.now();
      await reader.refresh();
      idle.push(performance.now() - t);
    }
    const costs = { rowsRead: rows, firstReadMs: median(first), unchangedReadMs: median(idle) };
    log(`  a refresh reading the file's ${rows} rows: ${costs.firstReadMs.toFixed(1)} ms; one that finds nothing new: ${costs.unchangedReadMs.toFixed(2)} ms`);
    return costs;
  } finally {
    await warehouse.close();
  }
}

type Served = { basis: string; items: { service_id: string }[] };
const listOf = async (base: string, user: string): Promise<Served> => (await fetch(`${base}/v1/users/${user}/recommendations?k=10`)).json() as Promise<Served>;

const log = (line: string) => process.stderr.write(`${line}\n`);
const home = await mkdtemp(join(tmpdir(), 'pickwise-freshness-'));
const result: Record<string, unknown> = {
  size: args.size,
  ...size,
  daily,
  freshnessSeconds: Number(args.freshness),
  cpus: cpus().length,
  node: process.version,
};
try {
  log(`set-up: ${args.size} (${size.reservations} reservations) in ${home}`);
  const setup = {
    generate: (
      await pickwise(home, ['generate', '--users', String(size.users), '--services', String(size.services), '--reservations', String(size.reservations)])
    ).seconds,
    ingest: (await pickwise(home, ['ingest'])).seconds,
    train: (await pickwise(home, ['train', '--algo', 'als', '--holdout', '0'])).seconds,
  };
  result['setup'] = setup;
  log(`  generate ${setup.generate.toFixed(1)} s, ingest ${setup.ingest.toFixed(1)} s, train ${setup.train.toFixed(1)} s`);
  const latest = JSON.parse(await readFile(join(home, 'bucket', 'models', 'latest.json'), 'utf8')) as { prefix: string };
  const ids = JSON.parse(await readFile(join(home, 'bucket', latest.prefix, 'ids.json'), 'utf8')) as { users: string[]; items: string[] };

  const port = Number(args.port);
  const base = `http://127.0.0.1:${port}`;
  const server = await startServe({
    home,
    port,
    command: args.up ? 'up' : 'serve',
    env: { PICKWISE_SERVE__FRESHNESS_SECONDS: args.freshness, PICKWISE_ORCHESTRATION__TICK_SECONDS: args.tick },
  });
  try {
    // The user followed: the two services at the top of their list are in the daily file, among other users' rows.
    const target = ids.users[2]!;
    const before = await listOf(base, target);
    const booked = before.items.slice(0, 2).map((i) => i.service_id);
    const rng = new Rng(11);
    const rows = ['reservation_id,user_id,service_id,status,reserved_at,rating'];
    const day = new Date(Date.now() - 3_600_000).toISOString().slice(0, 19) + 'Z';
    booked.forEach((s, i) => rows.push(`daily-t${i},${target},${s},completed,${day},5`));
    for (let r = rows.length - 1; r < daily; r++) {
      const status = rng.next() < 0.8 ? 'completed' : 'reserved';
      rows.push(
        `daily-${r},${ids.users[rng.uniformInt(ids.users.length)]},${ids.items[rng.uniformInt(ids.items.length)]},${status},${day},${status === 'completed' ? 1 + rng.uniformInt(5) : ''}`,
      );
    }
    const arrived = performance.now();
    const arrivedAt = Date.now();
    await writeFile(join(home, 'bucket', 'landing', 'reservations-daily.csv'), `${rows.join('\n')}\n`);
    const ingest = args.up ? { seconds: 0 } : await pickwise(home, ['ingest']);
    const ingested = (performance.now() - arrived) / 1000;
    let polls = 0;
    let after: Served;
    for (;;) {
      after = await listOf(base, target);
      polls++;
      if (!after.items.some((i) => booked.includes(i.service_id))) break;
      if ((performance.now() - arrived) / 1000 > 300) throw new Error('the served list did not change within 300 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    const served = (performance.now() - arrived) / 1000;
    if (args.up) {
      // The on-landing run's own history: when the sensor created it, when it started and ended.
      type RunRow = { createdAt: string; startedAt?: string; endedAt?: string; state: string };
      let run: RunRow | undefined;
      for (let i = 0; i < 300 && (run === undefined || run.endedAt === undefined); i++) {
        if (i > 0) await new Promise((r) => setTimeout(r, 1000));
        run = (JSON.parse((await pickwise(home, ['--json', 'dag-runs', 'list', '--dag', 'on-landing', '--limit', '1'])).stdout) as { runs: RunRow[] }).runs[0];
      }
      const after = (at?: string) => (at === undefined ? null : (Date.parse(at) - arrivedAt) / 1000);
      result['onLandingRun'] = run
        ? { state: run.state, createdAfter: after(run.createdAt), startedAfter: after(run.startedAt), endedAfter: after(run.endedAt) }
        : null;
      log(`  on-landing run ${run?.state}: created ${after(run?.createdAt)?.toFixed(2)} s, ended ${after(run?.endedAt)?.toFixed(2)} s after the arrival`);
    }
    const rec = await pickwise(home, ['--json', 'recommend', '--user', target, '--k', '10']);
    const cliList = (JSON.parse(rec.stdout) as { recommendations: { serviceId: string }[] }).recommendations.map((r) => r.serviceId);
    if (cliList.some((s) => booked.includes(s))) throw new Error('pickwise recommend --user still lists a service just reserved');
    const recommended = (performance.now() - arrived) / 1000;
    result['phases'] = {
      ingestProcessSeconds: ingest.seconds,
      ingestedAfterSeconds: ingested,
      servedAfterSeconds: served,
      servedAfterIngestSeconds: served - ingested,
      polls,
      recommendCliSeconds: rec.seconds,
      recommendCliAfterSeconds: recommended,
      listChanged: JSON.stringify(before.items.map((i) => i.service_id)) !== JSON.stringify(after.items.map((i) => i.service_id)),
    };
    log(`daily file of ${daily} rows, from its arrival:`);
    log(`  ingested (pickwise ingest, ${ingest.seconds.toFixed(2)} s as a process)  ${ingested.toFixed(2)} s`);
    log(`  visible in the served list (${polls} polls)                   ${served.toFixed(2)} s (${(served - ingested).toFixed(2)} s after the ingest)`);
    log(`  visible in pickwise recommend --user (${rec.seconds.toFixed(2)} s)          ${recommended.toFixed(2)} s`);
  } finally {
    await stopChild(server);
  }
  result['refresh'] = await refreshCosts(home, latest.prefix);
  await mkdir(join(repoRoot, '.bench'), { recursive: true });
  const out = join(repoRoot, '.bench', `freshness-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  await writeFile(out, JSON.stringify(result, null, 2));
  log(`raw results: ${out}`);
} finally {
  if (args.keep) log(`kept ${home}`);
  else await rm(home, { recursive: true, force: true });
}
