/**
 * Ingest benchmark: `pickwise ingest` (feature snapshot included, as it runs by default) against the seed's pandas +
 * `to_sql` anchor on the same generated files, and against the database's own floor (bench/ingest-floor.ts: the
 * same fact rows, already parsed, written by the loader's writer alone), all in the same run, on SQLite and MariaDB.
 *
 *   npm run bench:ingest -- [--sizes 100k,1m] [--runs 2] [--dirty 0.01] [--seed 42] [--backends sqlite,mariadb] [--keep]
 *
 * Sizes: 100k = 5 000 users, 500 services, 100 000 reservations (a daily export); 1m = 50 000 users, 3 000
 * services, 1 000 000 reservations. Each measured program runs as its own child process on a fresh database: wall
 * time is taken here, peak RSS through `/usr/bin/time` (or by polling /proc). The CLI's own start-up (`pickwise
 * --help`) is timed too. Raw results go to `.bench/ingest-<timestamp>.json`.
 */
import { mkdir, mkdtemp, readdir, rm, copyFile, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { median } from '../src/shared/stats.ts';
import { startMariaDb, type MariaDbServer } from '../test/support/mariadb-server.ts';
import {
  anchorScript,
  checkAnchor,
  copyWithoutOverlongLines,
  countTables,
  failureText,
  log,
  measure,
  n0,
  PYTHON,
  repoRoot,
  scanCsv,
  table,
  type Measured,
} from './ingest-support.ts';

const cliPath = join(repoRoot, 'bin', 'pickwise.js');
const floorScript = join(repoRoot, 'bench', 'ingest-floor.ts');
const tsxCli = join(repoRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs');
const LANDING_FILES = ['users.csv', 'services.csv', 'reservations.csv'] as const;
const SIZES: Readonly<Record<string, { users: number; services: number; reservations: number }>> = {
  '100k': { users: 5_000, services: 500, reservations: 100_000 },
  '1m': { users: 50_000, services: 3_000, reservations: 1_000_000 },
};

type Backend = 'sqlite' | 'mariadb';
type Tool = 'pickwise' | 'anchor' | 'floor';

interface RunResult {
  size: string;
  backend: Backend;
  tool: Tool;
  run: number;
  ok: boolean;
  /** Process wall time (the floor: its transaction alone). */
  seconds: number;
  peakRssMb: number | null;
  /** pickwise only: the ingest job's own time without the feature update, and the feature update. */
  ingestSeconds?: number;
  featureSeconds?: number;
  rowsLoaded?: number | null;
  factReservation?: number | null;
  error?: string;
}

function parseOptions(argv: string[]) {
  const { values } = parseArgs({
    args: argv,
    options: {
      sizes: { type: 'string', default: '100k,1m' },
      runs: { type: 'string', default: '2' },
      dirty: { type: 'string', default: '0.01' },
      seed: { type: 'string', default: '42' },
      backends: { type: 'string', default: 'sqlite,mariadb' },
      keep: { type: 'boolean', default: false },
    },
    strict: true,
  });
  const sizes = values.sizes.split(',').map((s) => s.trim().toLowerCase());
  for (const s of sizes) if (!(s in SIZES)) throw new Error(`unknown size ${JSON.stringify(s)}: use ${Object.keys(SIZES).join(', ')}`);
  const backends = values.backends.split(',').map((b) => b.trim()) as Backend[];
  for (const b of backends) if (b !== 'sqlite' && b !== 'mariadb') throw new Error(`unknown backend ${JSON.stringify(b)}: use sqlite, mariadb`);
  const runs = Number(values.runs);
  const dirty = Number(values.dirty);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${values.runs}`);
  if (!(dirty >= 0 && dirty < 1)) throw new Error(`--dirty must be in [0, 1), got ${values.dirty}`);
  return { sizes, backends, runs, dirty, seed: Number(values.seed), keep: values.keep };
}

/** The environment of measured children: no PICKWISE_* settings, so pickwise runs with its defaults (features on). */
function childEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PICKWISE_')));
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const machine = {
    cpuModel: cpus()[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    kernel: release(),
    totalMemGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAvgAtStart: loadavg(),
  };
  process.stdout.write(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, node ${machine.node}, load avg ${machine.loadAvgAtStart.map((x) => x.toFixed(2)).join(' ')}\n`,
  );
  const anchor = await checkAnchor();
  if (anchor.message) process.stdout.write(`anchor: ${anchor.message}\n`);
  const work = await mkdtemp(join(tmpdir(), 'pickwise-bench-ingest-'));
  const env = childEnv();
  let timeFiles = 0;
  const timeFile = () => join(work, `time-${++timeFiles}.txt`);
  let server: MariaDbServer | undefined;
  const results: RunResult[] = [];
  const startup: number[] = [];
  try {
    if (opts.backends.includes('mariadb')) server = await startMariaDb();
    for (let run = 1; run <= opts.runs; run++)
      startup.push((await measure(process.execPath, [cliPath, '--help'], { cwd: work, env, timeFile: timeFile() })).seconds);
    for (const size of opts.sizes) {
      const shape = SIZES[size]!;
      const dir = join(work, size);
      const bucket = join(dir, 'bucket');
      await mkdir(join(bucket, 'landing'), { recursive: true });
      log(`${size}: generating`);
      const gen = await measure(
        process.execPath,
        [
          cliPath,
          '--log-level',
          'warn',
          'generate',
          '--out',
          join(dir, 'gen'),
          '--users',
          String(shape.users),
          '--services',
          String(shape.services),
          '--reservations',
          String(shape.reservations),
          '--seed',
          String(opts.seed),
          '--dirty',
          String(opts.dirty),
        ],
        { cwd: work, env, timeFile: timeFile() },
      );
      if (gen.exitCode !== 0) throw new Error(`pickwise generate failed:\n${gen.stderr}`);
      for (const f of LANDING_FILES) await copyFile(join(dir, 'gen', f), join(bucket, 'landing', f));
      const scans = await Promise.all(LANDING_FILES.map((f) => scanCsv(join(bucket, 'landing', f))));
      // pandas' C parser aborts on a line with more fields than the header: the anchor reads a copy without them.
      const anchorLanding = join(dir, 'anchor-landing');
      await mkdir(anchorLanding, { recursive: true });
      for (const f of LANDING_FILES) await copyWithoutOverlongLines(join(bucket, 'landing', f), join(anchorLanding, f));
      process.stdout.write(
        `${size}: ${LANDING_FILES.map((f, i) => `${f} ${n0(scans[i]!.dataLines)} rows`).join(', ')}; anchor input without ${n0(scans.reduce((s, x) => s + x.tooManyFields, 0))} over-long line(s)\n`,
      );

      for (const backend of opts.backends) {
        for (let run = 1; run <= opts.runs; run++) {
          const fresh = async (name: string): Promise<string> =>
            backend === 'sqlite' ? `sqlite:${join(dir, `${name}-${backend}-${run}.db`)}` : server!.createDatabase(`${name}_${size}_${run}`);
          for (const entry of await readdir(bucket)) if (entry !== 'landing') await rm(join(bucket, entry), { recursive: true, force: true });
          log(`${size} ${backend} run ${run}: pickwise ingest`);
          const pwUrl = await fresh('pickwise');
          const pw = await measure(
            process.execPath,
            [cliPath, '--json', '--log-level', 'warn', '--storage-url', `file:${bucket}`, '--database-url', pwUrl, 'ingest'],
            { cwd: work, env, timeFile: timeFile() },
          );
          results.push(await pickwiseResult({ size, backend, run, m: pw, url: pwUrl }));
          if (anchor[backend]) {
            log(`${size} ${backend} run ${run}: anchor`);
            const aUrl = await fresh('anchor');
            const pyUrl = backend === 'sqlite' ? aUrl.replace(/^sqlite:/, 'sqlite:///') : aUrl.replace(/^mysql:/, 'mysql+pymysql:');
            const an = await measure(PYTHON, [anchorScript, anchorLanding, pyUrl], { cwd: work, env, timeFile: timeFile() });
            results.push({
              size,
              backend,
              tool: 'anchor',
              run,
              ok: an.exitCode === 0,
              seconds: an.seconds,
              peakRssMb: an.peakRssMb,
              factReservation: (await countTables(aUrl)).factReservation,
              ...(an.exitCode === 0 ? {} : { error: failureText(an) }),
            });
          }
          log(`${size} ${backend} run ${run}: floor`);
          const fl = await measure(
            process.execPath,
            [
              tsxCli,
              floorScript,
              '--url',
              await fresh('floor'),
              '--rows',
              String(shape.reservations),
              '--users',
              String(shape.users),
              '--services',
              String(shape.services),
            ],
            { cwd: repoRoot, env, timeFile: timeFile() },
          );
          const floor = fl.exitCode === 0 ? (JSON.parse(fl.stdout.trim().split('\n').pop()!) as { seconds: number }) : undefined;
          results.push({
            size,
            backend,
            tool: 'floor',
            run,
            ok: floor !== undefined,
            seconds: floor?.seconds ?? Number.NaN,
            peakRssMb: fl.peakRssMb,
            ...(floor ? {} : { error: failureText(fl) }),
          });
        }
      }
    }
    report({ results, startup, opts, machine, startedAt });
    const outDir = join(repoRoot, '.bench');
    await mkdir(outDir, { recursive: true });
    const outFile = join(outDir, `ingest-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(
      outFile,
      `${JSON.stringify({ startedAt, machine: { ...machine, loadAvgAtEnd: loadavg(), python: anchor.versions }, options: opts, startup, results }, null, 2)}\n`,
    );
    process.stdout.write(`raw results: ${outFile}\n`);
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  } finally {
    await server?.stop();
    if (!opts.keep) await rm(work, { recursive: true, force: true });
    else process.stdout.write(`work folder kept: ${work}\n`);
  }
}

async function pickwiseResult(o: { size: string; backend: Backend; run: number; m: Measured; url: string }): Promise<RunResult> {
  const { m } = o;
  let summary: { seconds: number; rowsLoaded: number; features?: { seconds: number } } | undefined;
  try {
    summary = JSON.parse(m.stdout) as typeof summary;
  } catch {
    summary = undefined;
  }
  const ok = m.exitCode === 0 && summary !== undefined;
  const featureSeconds = summary?.features?.seconds ?? 0;
  return {
    size: o.size,
    backend: o.backend,
    tool: 'pickwise',
    run: o.run,
    ok,
    seconds: m.seconds,
    peakRssMb: m.peakRssMb,
    ...(summary ? { ingestSeconds: summary.seconds - featureSeconds, featureSeconds, rowsLoaded: summary.rowsLoaded } : {}),
    factReservation: (await countTables(o.url)).factReservation,
    ...(ok ? {} : { error: failureText(m) }),
  };
}

function report(o: {
  results: RunResult[];
  startup: number[];
  opts: ReturnType<typeof parseOptions>;
  machine: { loadAvgAtStart: number[] };
  startedAt: Date;
}): void {
  const { results } = o;
  const secs = (xs: number[]) => xs.map((x) => x.toFixed(2)).join(', ');
  process.stdout.write(`\nCLI start-up (pickwise --help): ${secs(o.startup)} s, median ${median(o.startup).toFixed(2)} s\n\n`);
  const rows: string[][] = [];
  for (const size of o.opts.sizes) {
    for (const backend of o.opts.backends) {
      const of = (tool: Tool) => results.filter((r) => r.size === size && r.backend === backend && r.tool === tool && r.ok);
      const [pw, an, fl] = [of('pickwise'), of('anchor'), of('floor')];
      const pick = (rs: RunResult[], f: (r: RunResult) => number | undefined) => rs.map(f).filter((x): x is number => x !== undefined);
      const pwWall = median(pick(pw, (r) => r.seconds));
      const ingest = median(pick(pw, (r) => r.ingestSeconds));
      const floor = median(pick(fl, (r) => r.seconds));
      rows.push([
        size,
        backend,
        'pickwise (wall, features included)',
        secs(pick(pw, (r) => r.seconds)),
        pwWall.toFixed(2),
        n0(Math.max(...pick(pw, (r) => r.peakRssMb ?? undefined))),
        `${(median(pick(an, (r) => r.seconds)) / pwWall).toFixed(2)}× anchor`,
      ]);
      rows.push([
        size,
        backend,
        '  ingest job without features',
        secs(pick(pw, (r) => r.ingestSeconds)),
        ingest.toFixed(2),
        '',
        `${(ingest / floor).toFixed(2)}× floor`,
      ]);
      rows.push([size, backend, '  feature update', secs(pick(pw, (r) => r.featureSeconds)), median(pick(pw, (r) => r.featureSeconds)).toFixed(2), '', '']);
      rows.push([
        size,
        backend,
        'anchor (pandas, wall)',
        secs(pick(an, (r) => r.seconds)),
        median(pick(an, (r) => r.seconds)).toFixed(2),
        n0(Math.max(...pick(an, (r) => r.peakRssMb ?? undefined))),
        '',
      ]);
      rows.push([size, backend, 'floor (writes alone)', secs(pick(fl, (r) => r.seconds)), floor.toFixed(2), '', '']);
    }
  }
  process.stdout.write(
    table(['size', 'backend', 'measured', 'seconds (runs)', 'median', 'peak RSS MB', 'ratio'], rows, [false, false, false, false, true, true, false]) + '\n',
  );
  for (const r of results) if (!r.ok) process.stdout.write(`${r.size} ${r.backend} ${r.tool} run ${r.run} failed: ${r.error}\n`);
  process.stdout.write(
    `load avg at end: ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (compare the ratios: the machine is shared)\n`,
  );
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench:ingest failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
