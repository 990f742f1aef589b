/**
 * Prometheus and promtool for tests (Debian `prometheus` 2.42): the shipped files under monitoring/prometheus are
 * checked with promtool, and a real Prometheus is started on loopback from a private temp folder to scrape a
 * running `pickwise serve`. There is no systemd here, so the test owns the server's lifecycle.
 */
import { execFile, spawn } from 'node:child_process';
import { accessSync, constants as fsConstants } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path, { delimiter } from 'node:path';
import { promisify } from 'node:util';
import { parse, stringify } from 'yaml';
import { isCi } from './ci.ts';
import { freePort } from './free-port.ts';
import { REPO_ROOT } from './run-cli.ts';

const execFileAsync = promisify(execFile);

/** The shipped Prometheus files. */
export const PROMETHEUS_DIR = path.join(REPO_ROOT, 'monitoring', 'prometheus');

/** Where a program is on PATH (or in /usr/bin, /usr/local/bin), or undefined. */
function findProgram(name: string): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/local/bin']) {
    try {
      accessSync(path.join(dir, name), fsConstants.X_OK);
      return path.join(dir, name);
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export interface PrometheusBinaries {
  readonly prometheus: string;
  readonly promtool: string;
}

/**
 * The Prometheus binaries, or undefined after a loud warning when they are missing outside CI. In CI (which installs
 * them) a missing binary throws: the suite must never be skipped there.
 */
export function prometheusOrSkip(): PrometheusBinaries | undefined {
  const prometheus = findProgram('prometheus');
  const promtool = findProgram('promtool');
  if (prometheus && promtool) return { prometheus, promtool };
  const message = 'prometheus / promtool not found: install them with `apt-get install -y --no-install-recommends prometheus`';
  if (isCi()) throw new Error(`${message}; CI must not skip the Prometheus tests`);
  process.stderr.write(
    `\n${'#'.repeat(80)}\n#  WARNING: the Prometheus tests are SKIPPED.\n#  ${message}.\n#  CI installs them and runs these tests.\n${'#'.repeat(80)}\n\n`,
  );
  return undefined;
}

/** Runs promtool; resolves with its output whatever the exit code (callers assert on `code`). */
export async function promtool(bin: PrometheusBinaries, args: readonly string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await execFileAsync(bin.promtool, args, { cwd: PROMETHEUS_DIR, timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

export interface RunningPrometheus {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** GET /api/v1/query at the current time; returns `data` of a successful answer, throws otherwise. */
  query(expr: string): Promise<{ resultType: string; result: { metric: Record<string, string>; value: [number, string] }[] }>;
  /** The server's output so far (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts Prometheus with the shipped prometheus.yml, changed only where a test must: its scrape and evaluation
 * intervals (`intervalSeconds`), the scrape target (`target`, host:port) and the rule files' absolute paths.
 */
export async function startPrometheus(bin: PrometheusBinaries, o: { target: string; intervalSeconds: number }): Promise<RunningPrometheus> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-prometheus-'));
  const config = parse(await readFile(path.join(PROMETHEUS_DIR, 'prometheus.yml'), 'utf8')) as {
    global: Record<string, string>;
    rule_files: string[];
    scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
  };
  config.global.scrape_interval = `${o.intervalSeconds}s`;
  config.global.evaluation_interval = `${o.intervalSeconds}s`;
  config.rule_files = config.rule_files.map((f) => path.join(PROMETHEUS_DIR, f));
  for (const job of config.scrape_configs) job.static_configs = [{ targets: [o.target] }];
  const configFile = path.join(dir, 'prometheus.yml');
  await writeFile(configFile, stringify(config));

  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const child = spawn(
      bin.prometheus,
      [`--config.file=${configFile}`, `--storage.tsdb.path=${path.join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    let running = true;
    void exited.then(() => (running = false));
    for (let i = 0; i < 300 && running; i++) {
      const ready = await fetch(`${url}/-/ready`).catch(() => undefined);
      if (ready?.status === 200) {
        const stop = async () => {
          if (running) child.kill('SIGTERM');
          await exited;
          await rm(dir, { recursive: true, force: true });
        };
        const query: RunningPrometheus['query'] = async (expr) => {
          const res = await fetch(`${url}/api/v1/query?${new URLSearchParams({ query: expr })}`);
          const body = (await res.json()) as { status: string; data: Awaited<ReturnType<RunningPrometheus['query']>>; error?: string };
          if (body.status !== 'success') throw new Error(`Prometheus refused ${expr}: ${body.error ?? res.status}`);
          return body.data;
        };
        return { url, query, output: () => output, stop };
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    if (running) child.kill('SIGKILL');
    await exited;
    // Another process may have taken the port between freePort() and the bind: try another, a few times.
    if (attempt >= 3 || !/address already in use/.test(output)) {
      await rm(dir, { recursive: true, force: true });
      throw new Error(`Prometheus did not become ready:\n${output}`);
    }
  }
}
