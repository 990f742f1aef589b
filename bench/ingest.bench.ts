/**
 * Ingest benchmark: `pickwise ingest` against the seed's pandas + `to_sql` anchor, on the same generated files,
 * in the same run, on SQLite and MariaDB.
 *
 *   npm run bench:ingest -- [--users 50000] [--services 3000] [--reservations 1000000] [--dirty 0.01] [--runs 1]
 *                           [--seed 42] [--backends sqlite,mariadb] [--keep]
 *
 * Each measured program runs as its own child process: wall time is taken here, peak RSS through
 * `/usr/bin/time -f '%M %e'` (Debian package `time`) or, without it, by polling /proc/<pid>/status every 20 ms.
 * Row counts are read back from each database afterwards. Raw results go to `.bench/ingest-<timestamp>.json`.
 */
import { execFile, spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { sql } from 'kysely';
import { openWarehouse } from '../src/warehouse/index.ts';
import { median } from '../src/shared/stats.ts';
import { startMariaDb, type MariaDbServer } from '../test/support/mariadb-server.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const cliPath = join(repoRoot, 'bin', 'pickwise.js');
const anchorDir = resolve(repoRoot, '..', 'shared', 'anchors');
const anchorScript = join(anchorDir, 'seed_ingest_pandas.py');
const execFileAsync = promisify(execFile);
const PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
const LANDING_FILES = ['users.csv', 'services.csv', 'reservations.csv'] as const;
const APT_HINT = 'apt-get install -y python3-pandas python3-sqlalchemy python3-pymysql';

type Backend = 'sqlite' | 'mariadb';
type Tool = 'pickwise' | 'anchor';

interface Options {
  users: number;
  services: number;
  reservations: number;
  dirty: number;
  runs: number;
  seed: number;
  backends: Backend[];
  keep: boolean;
}

interface Measured {
  seconds: number;
  peakRssMb: number | null;
  rssMethod: 'gnu-time' | 'proc-poll';
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

interface TableCounts {
  factReservation: number | null;
  dimUser: number | null;
  dimService: number | null;
}

interface RunResult {
  backend: Backend;
  tool: Tool;
  run: number;
  ok: boolean;
  seconds: number;
  reservationRowsPerSecond: number;
  peakRssMb: number | null;
  rssMethod: string;
  rowsLoaded: number | null;
  rowsRejected: number | null;
  dbCounts: TableCounts;
  error?: string;
  stderrTail?: string;
  /** The tool's own summary (pickwise `--json`, or the anchor's JSON line). */
  summary?: unknown;
}

function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      users: { type: 'string', default: '50000' },
      services: { type: 'string', default: '3000' },
      reservations: { type: 'string', default: '1000000' },
      dirty: { type: 'string', default: '0.01' },
      runs: { type: 'string', default: '1' },
      seed: { type: 'string', default: '42' },
      backends: { type: 'string', default: 'sqlite,mariadb' },
      keep: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run bench:ingest -- [--users N] [--services N] [--reservations N] [--dirty F] [--runs N]\n' +
        '                               [--seed N] [--backends sqlite,mariadb] [--keep]\n',
    );
    process.exit(0);
  }
  const int = (name: string, raw: string, min: number): number => {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new Error(`--${name} must be an integer ≥ ${min}, got ${JSON.stringify(raw)}`);
    return n;
  };
  const dirty = Number(values.dirty);
  if (!Number.isFinite(dirty) || dirty < 0 || dirty >= 1) throw new Error(`--dirty must be in [0, 1), got ${JSON.stringify(values.dirty)}`);
  const backends = values.backends.split(',').map((b) => b.trim()).filter(Boolean);
  for (const b of backends) if (b !== 'sqlite' && b !== 'mariadb') throw new Error(`unknown backend ${JSON.stringify(b)}: use sqlite, mariadb`);
  return {
    users: int('users', values.users, 1),
    services: int('services', values.services, 1),
    reservations: int('reservations', values.reservations, 1),
    dirty,
    runs: int('runs', values.runs, 1),
    seed: int('seed', values.seed, 0),
    backends: backends as Backend[],
    keep: values.keep,
  };
}

/** Runs a program to completion, measuring wall time and peak RSS of the process it becomes. */
async function measure(file: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeFile: string }): Promise<Measured> {
  const useGnuTime = existsSync(GNU_TIME);
  const [cmd, cmdArgs] = useGnuTime ? [GNU_TIME, ['-o', opts.timeFile, '-f', '%M %e', file, ...args]] : [file, [...args]];
  const started = process.hrtime.bigint();
  const child = spawn(cmd, cmdArgs, { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout.on('data', (b: Buffer) => out.push(b));
  child.stderr.on('data', (b: Buffer) => err.push(b));

  let polledKb = 0;
  let poller: NodeJS.Timeout | undefined;
  if (!useGnuTime && child.pid !== undefined) {
    const statusFile = `/proc/${child.pid}/status`;
    poller = setInterval(() => {
      try {
        const status = readFileSync(statusFile, 'utf8');
        for (const m of status.matchAll(/^(?:VmRSS|VmHWM):\s+(\d+)\s+kB/gm)) polledKb = Math.max(polledKb, Number(m[1]));
      } catch {
        // the process is gone between polls
      }
    }, 20);
  }

  const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done, fail) => {
    child.once('error', fail);
    child.once('close', (c, s) => done({ code: c, signal: s }));
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (poller) clearInterval(poller);

  let peakKb: number | null = polledKb || null;
  if (useGnuTime) {
    // GNU time prints "Command exited with non-zero status N" before the format line on failure.
    const line = existsSync(opts.timeFile) ? readFileSync(opts.timeFile, 'utf8').trim().split('\n').pop() ?? '' : '';
    const kb = Number(line.split(/\s+/)[0]);
    peakKb = Number.isFinite(kb) && kb > 0 ? kb : null;
  }
  return {
    seconds,
    peakRssMb: peakKb === null ? null : peakKb / 1024,
    rssMethod: useGnuTime ? 'gnu-time' : 'proc-poll',
    exitCode: code,
    signal,
    stdout: Buffer.concat(out).toString('utf8'),
    stderr: Buffer.concat(err).toString('utf8'),
  };
}

/** Number of fields in one CSV line, honouring double quotes (the generator quotes names with commas). */
function countFields(line: string): number {
  let fields = 1;
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c === 34) quoted = !quoted;
    else if (c === 44 && !quoted) fields++;
  }
  return fields;
}

interface FileScan {
  dataLines: number;
  tooManyFields: number;
}

/** Counts data lines (without the header) and lines with more fields than the header. */
async function scanCsv(path: string): Promise<FileScan> {
  const rl = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let header = -1;
  let dataLines = 0;
  let tooManyFields = 0;
  for await (const line of rl) {
    if (header < 0) {
      header = countFields(line);
      continue;
    }
    if (line === '') continue;
    dataLines++;
    if (countFields(line) > header) tooManyFields++;
  }
  return { dataLines, tooManyFields };
}

/** Copies a CSV without its over-long lines (the only dirty kind pandas' read_csv cannot read at all). */
async function copyWithoutOverlongLines(from: string, to: string): Promise<void> {
  const rl = createInterface({ input: createReadStream(from), crlfDelay: Infinity });
  const out = createWriteStream(to);
  let header = -1;
  for await (const line of rl) {
    if (header < 0) header = countFields(line);
    else if (countFields(line) > header) continue;
    if (!out.write(`${line}\n`)) await new Promise<void>((r) => out.once('drain', () => r()));
  }
  await new Promise<void>((done, fail) => out.end((e?: Error | null) => (e ? fail(e) : done())));
}

interface PythonCheck {
  sqlite: boolean;
  mariadb: boolean;
  versions: Record<string, string>;
  message?: string;
}

async function checkAnchor(): Promise<PythonCheck> {
  const none = { sqlite: false, mariadb: false, versions: {} };
  if (!existsSync(anchorScript)) return { ...none, message: `anchor not found at ${anchorScript} (expected shared/ beside the repo); skipping the anchor` };
  if (!existsSync(PYTHON)) return { ...none, message: `${PYTHON} not found; skipping the anchor (${APT_HINT})` };
  const probe =
    'import json, importlib\nv = {}\nfor m in ("pandas", "sqlalchemy", "pymysql"):\n' +
    '    try:\n        v[m] = importlib.import_module(m).__version__\n    except Exception:\n        pass\nprint(json.dumps(v))';
  let versions: Record<string, string> = {};
  try {
    const { stdout } = await execFileAsync(PYTHON, ['-c', probe], { timeout: 60_000 });
    versions = JSON.parse(stdout.trim()) as Record<string, string>;
  } catch (error) {
    return { ...none, message: `could not probe the anchor's Python modules (${(error as Error).message.split('\n')[0]}); ${APT_HINT}` };
  }
  const sqlite = 'pandas' in versions && 'sqlalchemy' in versions;
  const mariadb = sqlite && 'pymysql' in versions;
  const missing = ['pandas', 'sqlalchemy', 'pymysql'].filter((m) => !(m in versions));
  return {
    sqlite,
    mariadb,
    versions,
    message: missing.length ? `anchor Python modules missing (${missing.join(', ')}): ${APT_HINT}` : undefined,
  };
}

/** Row counts read back through pickwise's own query layer (works on the anchor's tables too: same names). */
async function countTables(url: string): Promise<TableCounts> {
  const counts: TableCounts = { factReservation: null, dimUser: null, dimService: null };
  if (url.startsWith('sqlite:') && !existsSync(url.slice('sqlite:'.length))) return counts;
  const warehouse = await openWarehouse({ url });
  try {
    const one = async (table: string): Promise<number | null> => {
      try {
        const r = await sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`.execute(warehouse.db);
        return Number(r.rows[0]?.n);
      } catch {
        return null;
      }
    };
    counts.factReservation = await one('fact_reservation');
    counts.dimUser = await one('dim_user');
    counts.dimService = await one('dim_service');
  } finally {
    await warehouse.close();
  }
  return counts;
}

/**
 * The environment of measured children: no PICKWISE_* overrides, except that the feature-table rebuild after
 * ingest is off, so the figure is ingestion alone (`npm run bench:train` and `pickwise features build` time features).
 */
function childEnv(): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PICKWISE_')));
  return { ...env, PICKWISE_FEATURES__AFTER_INGEST: 'false' };
}

function table(headers: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells.map((c, i) => (rightAlign[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join(' | ').trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(fmt)].join('\n');
}

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const n0 = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : intFmt.format(x));

function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const startedAt = new Date();
  const cpuList = cpus();
  const machine = {
    cpuModel: cpuList[0]?.model ?? 'unknown',
    cores: availableParallelism(),
    node: process.version,
    kernel: release(),
    totalMemGb: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    loadAvgAtStart: loadavg().map((x) => Math.round(x * 100) / 100),
  };
  process.stdout.write(
    `machine: ${machine.cpuModel}, ${machine.cores} cores, ${machine.totalMemGb} GiB, node ${machine.node}, ` +
      `linux ${machine.kernel}, load avg ${machine.loadAvgAtStart.join(' ')}\n`,
  );
  process.stdout.write(
    `data: ${n0(opts.users)} users, ${n0(opts.services)} services, ${n0(opts.reservations)} reservations, ` +
      `${opts.dirty * 100} % dirty, seed ${opts.seed}; ${opts.runs} run(s) per tool and backend\n`,
  );

  const anchor = await checkAnchor();
  if (anchor.message) process.stdout.write(`anchor: ${anchor.message}\n`);

  const work = await mkdtemp(join(tmpdir(), 'pickwise-bench-ingest-'));
  const genDir = join(work, 'gen');
  const bucket = join(work, 'bucket');
  const landing = join(bucket, 'landing');
  const dbDir = join(work, 'db');
  await mkdir(landing, { recursive: true });
  await mkdir(dbDir, { recursive: true });
  const env = childEnv();
  let timeFileN = 0;
  const timeFile = () => join(work, `time-${++timeFileN}.txt`);

  let server: MariaDbServer | undefined;
  const cleanup = async () => {
    await server?.stop().catch((e: unknown) => log(`stopping MariaDB failed: ${String(e)}`));
    server = undefined;
    if (!opts.keep) await rm(work, { recursive: true, force: true });
  };
  const onSignal = (sig: NodeJS.Signals) => {
    log(`${sig}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  const results: RunResult[] = [];
  try {
    // 1. Generate once.
    log(`generating into ${genDir}`);
    const gen = await measure(
      process.execPath,
      [cliPath, '--log-level', 'warn', 'generate', '--out', genDir, '--users', String(opts.users), '--services', String(opts.services),
        '--reservations', String(opts.reservations), '--seed', String(opts.seed), '--dirty', String(opts.dirty)],
      { cwd: work, env, timeFile: timeFile() },
    );
    if (gen.exitCode !== 0) throw new Error(`pickwise generate failed (exit ${gen.exitCode}):\n${gen.stderr}${gen.stdout}`);
    for (const f of LANDING_FILES) await copyFile(join(genDir, f), join(landing, f));
    const scans = Object.fromEntries(await Promise.all(LANDING_FILES.map(async (f) => [f, await scanCsv(join(landing, f))] as const))) as Record<
      (typeof LANDING_FILES)[number],
      FileScan
    >;
    const totalLines = LANDING_FILES.reduce((s, f) => s + scans[f].dataLines, 0);
    const reservationLines = scans['reservations.csv'].dataLines;
    process.stdout.write(
      `generate: ${gen.seconds.toFixed(2)} s, peak RSS ${n0(gen.peakRssMb)} MB; files: ` +
        LANDING_FILES.map((f) => `${f} ${n0(scans[f].dataLines)} rows`).join(', ') + '\n',
    );

    // pandas' C parser aborts on a line with more fields than the header; give the anchor a copy without them.
    const overlong = LANDING_FILES.reduce((s, f) => s + scans[f].tooManyFields, 0);
    let anchorLanding = landing;
    if (overlong > 0 && (anchor.sqlite || anchor.mariadb)) {
      anchorLanding = join(work, 'anchor-landing');
      await mkdir(anchorLanding, { recursive: true });
      for (const f of LANDING_FILES) await copyWithoutOverlongLines(join(landing, f), join(anchorLanding, f));
      process.stdout.write(
        `anchor input: ${n0(overlong)} line(s) with too many fields removed beforehand (untimed) — pandas.read_csv raises ` +
          `ParserError on them; they are counted as rejected for the anchor\n`,
      );
    }

    // 2. Each backend: pickwise, then the anchor, into fresh databases.
    for (const backend of opts.backends) {
      if (backend === 'mariadb') {
        try {
          log('starting MariaDB');
          server = await startMariaDb();
        } catch (error) {
          process.stdout.write(`mariadb: skipped — ${(error as Error).message.split('\n')[0]}\n`);
          continue;
        }
      }
      for (let run = 1; run <= opts.runs; run++) {
        // pickwise
        const dbName = `pickwise_r${run}`;
        const dbUrl = backend === 'sqlite' ? `sqlite:${join(dbDir, `${dbName}.db`)}` : await server!.createDatabase(dbName);
        // Fresh bucket state apart from landing/ (backups and quarantine files of an earlier run).
        for (const entry of await readdir(bucket)) if (entry !== 'landing') await rm(join(bucket, entry), { recursive: true, force: true });
        log(`${backend} run ${run}: pickwise ingest`);
        const pw = await measure(
          process.execPath,
          [cliPath, '--json', '--log-level', 'warn', '--storage-url', `file:${bucket}`, '--database-url', dbUrl, 'ingest'],
          { cwd: work, env, timeFile: timeFile() },
        );
        results.push(await pickwiseResult(backend, run, pw, dbUrl, reservationLines));
        if (backend === 'mariadb') await server!.dropDatabase(dbName);

        // anchor
        if (backend === 'sqlite' ? anchor.sqlite : anchor.mariadb) {
          const aName = `anchor_r${run}`;
          const aPath = join(dbDir, `${aName}.db`);
          const aUrl = backend === 'sqlite' ? `sqlite:///${aPath}` : (await server!.createDatabase(aName)).replace(/^mysql:/, 'mysql+pymysql:');
          log(`${backend} run ${run}: anchor (pandas)`);
          const an = await measure(PYTHON, [anchorScript, anchorLanding, aUrl], { cwd: work, env, timeFile: timeFile() });
          const counts = await countTables(backend === 'sqlite' ? `sqlite:${aPath}` : aUrl.replace(/^mysql\+pymysql:/, 'mysql:'));
          results.push(anchorResult(backend, run, an, counts, reservationLines, totalLines, overlong));
          if (backend === 'mariadb') await server!.dropDatabase(aName);
        }
      }
      if (backend === 'mariadb') {
        await server?.stop();
        server = undefined;
      }
    }

    // 3. Report.
    process.stdout.write('\n');
    process.stdout.write(
      table(
        ['backend', 'tool', 'run', 'seconds', 'rows/s', 'peak RSS MB', 'rows loaded', 'rows rejected', 'fact_reservation', 'dim_user', 'dim_service'],
        results.map((r) => [
          r.backend,
          r.ok ? r.tool : `${r.tool} (FAILED)`,
          String(r.run),
          r.seconds.toFixed(2),
          n0(r.reservationRowsPerSecond),
          n0(r.peakRssMb),
          n0(r.rowsLoaded),
          n0(r.rowsRejected),
          n0(r.dbCounts.factReservation),
          n0(r.dbCounts.dimUser),
          n0(r.dbCounts.dimService),
        ]),
        [false, false, true, true, true, true, true, true, true, true, true],
      ) + '\n',
    );
    process.stdout.write(`rows/s = ${n0(reservationLines)} reservation rows in the file / seconds; rows loaded/rejected cover all three files (${n0(totalLines)} rows)\n`);
    for (const r of results) if (!r.ok) process.stdout.write(`${r.backend} ${r.tool} run ${r.run} failed: ${r.error}\n`);

    const speedups: Record<string, { pickwiseSeconds: number; anchorSeconds: number; speedup: number }> = {};
    process.stdout.write('\n');
    for (const backend of opts.backends) {
      const secs = (tool: Tool) => results.filter((r) => r.backend === backend && r.tool === tool && r.ok).map((r) => r.seconds);
      const [p, a] = [secs('pickwise'), secs('anchor')];
      if (p.length && a.length) {
        const s = { pickwiseSeconds: median(p), anchorSeconds: median(a), speedup: median(a) / median(p) };
        speedups[backend] = s;
        process.stdout.write(
          `${backend}: speed-up anchor_seconds / pickwise_seconds = ${s.anchorSeconds.toFixed(2)} / ${s.pickwiseSeconds.toFixed(2)} = ${s.speedup.toFixed(2)}×` +
            `${opts.runs > 1 ? ' (medians)' : ''}\n`,
        );
      } else {
        process.stdout.write(`${backend}: no speed-up (pickwise runs ok: ${p.length}, anchor runs ok: ${a.length})\n`);
      }
    }
    const loadAtEnd = loadavg().map((x) => Math.round(x * 100) / 100);
    process.stdout.write(`load avg at end: ${loadAtEnd.join(' ')} (other work on this machine skews absolute times; compare the ratio)\n`);

    const report = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { ...machine, loadAvgAtEnd: loadAtEnd, python: anchor.versions },
      options: opts,
      generate: { seconds: gen.seconds, peakRssMb: gen.peakRssMb },
      files: scans,
      anchorInput: { overlongLinesRemoved: overlong, note: anchor.message ?? null },
      results,
      speedups,
    };
    const outDir = join(repoRoot, '.bench');
    await mkdir(outDir, { recursive: true });
    const outFile = join(outDir, `ingest-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
    await writeFile(outFile, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`raw results: ${outFile}\n`);
    if (opts.keep) process.stdout.write(`work folder kept: ${work}\n`);
    if (results.some((r) => !r.ok)) process.exitCode = 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await cleanup();
  }
}

function failureText(m: Measured): string {
  const text = m.stderr.trim() || m.stdout.trim();
  // The first line naming an error says more than a stack trace's last frames.
  const lines = text.split('\n').map((l) => l.trim()).filter(Boolean);
  const tail = lines.find((l) => /error/i.test(l) && !l.startsWith('at ')) ?? lines.slice(-3).join(' / ');
  return `exit ${m.exitCode ?? m.signal}: ${tail}`;
}

async function pickwiseResult(backend: Backend, run: number, m: Measured, dbUrl: string, reservationLines: number): Promise<RunResult> {
  let summary: { rowsLoaded?: number; rowsRejected?: number } | undefined;
  try {
    summary = JSON.parse(m.stdout) as { rowsLoaded?: number; rowsRejected?: number };
  } catch {
    summary = undefined;
  }
  let dbCounts: TableCounts = { factReservation: null, dimUser: null, dimService: null };
  try {
    dbCounts = await countTables(dbUrl);
  } catch (error) {
    log(`reading counts back failed: ${String(error)}`);
  }
  const ok = m.exitCode === 0 && summary !== undefined;
  return {
    backend,
    tool: 'pickwise',
    run,
    ...measuredFields(m, ok, reservationLines),
    rowsLoaded: summary?.rowsLoaded ?? null,
    rowsRejected: summary?.rowsRejected ?? null,
    dbCounts,
    summary,
  };
}

/** The fields every run result has: timing, memory, and on failure what the process said. */
function measuredFields(m: Measured, ok: boolean, reservationLines: number) {
  return {
    ok,
    seconds: m.seconds,
    reservationRowsPerSecond: reservationLines / m.seconds,
    peakRssMb: m.peakRssMb,
    rssMethod: m.rssMethod,
    ...(ok ? {} : { error: failureText(m), stderrTail: m.stderr.split('\n').slice(-60).join('\n') }),
  };
}

function anchorResult(
  backend: Backend,
  run: number,
  m: Measured,
  dbCounts: TableCounts,
  reservationLines: number,
  totalLines: number,
  overlong: number,
): RunResult {
  let summary: { rows?: Record<string, number>; rejected?: number; seconds?: number } | undefined;
  try {
    summary = JSON.parse(m.stdout.trim().split('\n').pop() ?? '') as typeof summary;
  } catch {
    summary = undefined;
  }
  const rows = summary?.rows;
  // Same basis as pickwise's rowsLoaded: users + services + reservations written; everything else in the files is rejected.
  const loaded = rows ? (rows.dim_user ?? 0) + (rows.dim_service ?? 0) + (rows.fact_reservation ?? 0) : null;
  const ok = m.exitCode === 0 && summary !== undefined;
  return {
    backend,
    tool: 'anchor',
    run,
    ...measuredFields(m, ok, reservationLines),
    rowsLoaded: loaded,
    rowsRejected: loaded === null ? null : totalLines - loaded,
    dbCounts,
    summary: summary === undefined ? undefined : { ...summary, overlongLinesRemovedBeforehand: overlong },
  };
}

try {
  await main();
} catch (error) {
  process.stderr.write(`bench:ingest failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}
