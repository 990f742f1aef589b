/** Helpers of `npm run bench:ingest`: measuring child processes, preparing the anchor's input, reading results back. */
import { execFile, spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { sql } from 'kysely';
import { openWarehouse } from '../src/warehouse/index.ts';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const anchorScript = join(resolve(repoRoot, '..', 'shared', 'anchors'), 'seed_ingest_pandas.py');
export const PYTHON = '/usr/bin/python3';
const GNU_TIME = '/usr/bin/time';
const APT_HINT = 'apt-get install -y python3-pandas python3-sqlalchemy python3-pymysql';
const execFileAsync = promisify(execFile);

export interface Measured {
  seconds: number;
  peakRssMb: number | null;
  rssMethod: 'gnu-time' | 'proc-poll';
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
}

export interface TableCounts {
  factReservation: number | null;
  dimUser: number | null;
  dimService: number | null;
}

/** Runs a program to completion, measuring wall time and peak RSS of the process it becomes. */
export async function measure(file: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv; timeFile: string }): Promise<Measured> {
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
    const line = existsSync(opts.timeFile) ? (readFileSync(opts.timeFile, 'utf8').trim().split('\n').pop() ?? '') : '';
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

export interface FileScan {
  dataLines: number;
  tooManyFields: number;
}

/** Counts data lines (without the header) and lines with more fields than the header. */
export async function scanCsv(path: string): Promise<FileScan> {
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
export async function copyWithoutOverlongLines(from: string, to: string): Promise<void> {
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

export interface PythonCheck {
  sqlite: boolean;
  mariadb: boolean;
  versions: Record<string, string>;
  message?: string;
}

export async function checkAnchor(): Promise<PythonCheck> {
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
export async function countTables(url: string): Promise<TableCounts> {
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

export function table(headers: string[], rows: string[][], rightAlign: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const fmt = (cells: string[]) =>
    cells
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0)))
      .join(' | ')
      .trimEnd();
  return [fmt(headers), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(fmt)].join('\n');
}

const intFmt = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
export const n0 = (x: number | null | undefined): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : intFmt.format(x));

export function log(line: string): void {
  process.stderr.write(`[bench] ${line}\n`);
}

export function failureText(m: Measured): string {
  const text = m.stderr.trim() || m.stdout.trim();
  // The first line naming an error says more than a stack trace's last frames.
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  const tail = lines.find((l) => /error/i.test(l) && !l.startsWith('at ')) ?? lines.slice(-3).join(' / ');
  return `exit ${m.exitCode ?? m.signal}: ${tail}`;
}
