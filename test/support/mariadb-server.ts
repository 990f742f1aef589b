/**
 * A throwaway MariaDB server for tests, started from the Debian `mariadb-server` binaries in a private temp
 * folder on a free loopback port. There is no systemd and no Docker engine on the machines this runs on, so
 * the test set-up owns the whole server lifecycle: install a data dir, start, create the app user, stop.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { freePort } from './free-port.ts';
import { tmpdir, userInfo } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { createConnection } from 'mysql2/promise';

const execFileAsync = promisify(execFile);

/** Absolute paths of the four MariaDB programs the test server needs. */
export interface MariaDbBinaries {
  readonly mariadbd: string;
  readonly installDb: string;
  readonly admin: string;
  readonly client: string;
}

/** A running test server. `url` points at the pre-created `pickwise_test` database as the `pickwise` user. */
export interface MariaDbServer {
  readonly url: string;
  readonly port: number;
  /** The mariadbd process (for its CPU time in benchmarks). */
  readonly pid: number;
  /** Creates (if missing) a utf8mb4 database and returns a `mysql://` URL for it. */
  createDatabase(name: string): Promise<string>;
  dropDatabase(name: string): Promise<void>;
  /** Shuts the server down cleanly and deletes its temp folder. Safe to call twice. */
  stop(): Promise<void>;
}

export interface StartMariaDbOptions {
  /** Fixed TCP port; by default a free one is picked (and re-picked if another process grabs it first). */
  readonly port?: number;
  /** Extra `mariadbd` flags, appended last so they override the test defaults. */
  readonly extraArgs?: readonly string[];
}

const APP_USER = 'pickwise';
const APP_PASSWORD = 'pw';
const DEFAULT_DATABASE = 'pickwise_test';
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 30_000;
const DATABASE_NAME = /^[A-Za-z0-9_]{1,64}$/;

/** Test-friendly settings: durability traded for speed, and the charset/limits the warehouse expects. */
const TEST_SERVER_ARGS = [
  '--skip-name-resolve',
  '--skip-log-bin',
  '--innodb-buffer-pool-size=256M',
  '--innodb-log-file-size=256M',
  '--innodb-flush-log-at-trx-commit=2',
  '--max-connections=200',
  '--max-allowed-packet=256M',
  '--local-infile=1',
  '--character-set-server=utf8mb4',
  '--collation-server=utf8mb4_unicode_ci',
  // Timestamps must not depend on the machine's time zone, or results differ between laptops and CI.
  '--default-time-zone=+00:00',
];

const SEARCH_DIRS = ['/usr/sbin', '/usr/bin', '/usr/local/sbin', '/usr/local/bin', '/usr/local/mysql/bin'];

/** Locates the MariaDB programs on PATH or in the usual install folders (`mariadbd` lives in /usr/sbin, often off PATH). */
export function findMariaDb(): MariaDbBinaries | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), ...SEARCH_DIRS];
  const find = (name: string): string | undefined => {
    for (const dir of dirs) {
      const candidate = join(dir, name);
      try {
        accessSync(candidate, fsConstants.X_OK);
        return candidate;
      } catch {
        // not in this folder
      }
    }
    return undefined;
  };
  const mariadbd = find('mariadbd');
  const installDb = find('mariadb-install-db');
  const admin = find('mariadb-admin');
  const client = find('mariadb');
  if (!mariadbd || !installDb || !admin || !client) return undefined;
  return { mariadbd, installDb, admin, client };
}

/** Installs a fresh data dir, starts `mariadbd` and creates the `pickwise` user and `pickwise_test` database. */
export async function startMariaDb(opts: StartMariaDbOptions = {}): Promise<MariaDbServer> {
  const bin = findMariaDb();
  if (!bin) throw new Error('MariaDB binaries not found (mariadbd, mariadb-install-db, mariadb-admin, mariadb); apt-get install -y mariadb-server');

  const isRoot = process.getuid?.() === 0;
  // Root may not run mariadbd as itself; the Debian package creates the `mysql` account for that.
  const osUser = isRoot ? 'mysql' : userInfo().username;
  // With socket authentication the OS account running the client is the database account.
  const socketUser = isRoot ? 'root' : userInfo().username;

  const dir = await mkdtemp(join(tmpdir(), 'pickwise-mariadb-'));
  const dataDir = join(dir, 'data');
  const tmpDir = join(dir, 'tmp');
  const socket = join(dir, 'mariadb.sock');
  const errorLog = join(dir, 'error.log');
  let child: ChildProcess | undefined;

  // If the runner dies without calling stop(), no orphan server may survive it.
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort while the process is exiting
    }
  };
  process.on('exit', killOnExit);

  try {
    await mkdir(dataDir);
    // A temporary folder of its own: servers set up at the same moment by other runs never touch each other's files.
    await mkdir(tmpDir);
    if (isRoot) await execFileAsync('chown', ['-R', `${osUser}:${osUser}`, dir]);
    await runTool(bin.installDb, [
      '--no-defaults',
      ...(isRoot ? [`--user=${osUser}`] : [`--auth-root-socket-user=${osUser}`]),
      `--datadir=${dataDir}`,
      `--tmpdir=${tmpDir}`,
      '--auth-root-authentication-method=socket',
      '--skip-test-db',
    ]);

    let port = opts.port ?? (await freePort());
    for (let attempt = 1; ; attempt++) {
      child = spawn(
        bin.mariadbd,
        [
          '--no-defaults',
          ...(isRoot ? [`--user=${osUser}`] : []),
          `--datadir=${dataDir}`,
          `--tmpdir=${tmpDir}`,
          `--socket=${socket}`,
          `--pid-file=${join(dir, 'mariadb.pid')}`,
          `--log-error=${errorLog}`,
          '--bind-address=127.0.0.1',
          `--port=${port}`,
          ...TEST_SERVER_ARGS,
          ...(opts.extraArgs ?? []),
        ],
        { stdio: 'ignore' },
      );
      // The exit handler owns cleanup, so a live server must not keep the runner's event loop open.
      child.unref();
      const ready = await waitUntilReady({ child, admin: bin.admin, socket, socketUser, errorLog });
      if (ready) break;
      // Another process may take the port between freePort() and the bind; only retry what we picked ourselves.
      const portTaken = readTail(errorLog).includes('Address already in use');
      if (opts.port === undefined && portTaken && attempt < 3) {
        port = await freePort();
        continue;
      }
      throw new Error(`mariadbd exited during start-up (port ${port}). Error log tail:\n${readTail(errorLog)}`);
    }

    await runTool(bin.client, ['--no-defaults', `--socket=${socket}`, `--user=${socketUser}`, '-e', bootstrapSql()]);

    const serverUrl = `mysql://${APP_USER}:${APP_PASSWORD}@127.0.0.1:${port}`;
    const running = child;
    let stopped = false;
    return {
      url: `${serverUrl}/${DEFAULT_DATABASE}`,
      port,
      pid: running.pid!,
      createDatabase: (name) => createDatabaseAt(serverUrl, name),
      dropDatabase: (name) => dropDatabaseAt(serverUrl, name),
      async stop() {
        if (stopped) return;
        stopped = true;
        try {
          if (isAlive(running)) {
            await runTool(bin.admin, ['--no-defaults', `--socket=${socket}`, `--user=${socketUser}`, 'shutdown']).catch(() => {
              running.kill('SIGTERM');
            });
            if (!(await waitForExit(running, STOP_TIMEOUT_MS))) running.kill('SIGKILL');
          }
          await rm(dir, { recursive: true, force: true });
        } finally {
          process.off('exit', killOnExit);
        }
      },
    };
  } catch (error) {
    killOnExit();
    process.off('exit', killOnExit);
    throw error;
  }
}

/**
 * Creates a database on the server at `serverUrl` (any `mysql://` URL; its path is ignored) and returns its URL.
 * `charset` (default utf8mb4) sets its default character set, e.g. latin1 to reproduce an old server default.
 */
export async function createDatabaseAt(serverUrl: string, name: string, options: { charset?: 'utf8mb4' | 'latin1' } = {}): Promise<string> {
  assertDatabaseName(name);
  const charset = options.charset === 'latin1' ? 'latin1 COLLATE latin1_swedish_ci' : 'utf8mb4 COLLATE utf8mb4_unicode_ci';
  await withAdminConnection(serverUrl, (conn) => conn.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET ${charset}`));
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropDatabaseAt(serverUrl: string, name: string): Promise<void> {
  assertDatabaseName(name);
  await withAdminConnection(serverUrl, (conn) => conn.query(`DROP DATABASE IF EXISTS \`${name}\``));
}

/** The database a `mysql://…/NAME` URL points at, or undefined when it names none. */
export function databaseNameOf(url: string): string | undefined {
  const name = decodeURIComponent(new URL(url).pathname.replace(/^\//, ''));
  return name === '' ? undefined : name;
}

function assertDatabaseName(name: string): void {
  // Names are spliced into DDL (identifiers cannot be bound as parameters), so only plain ones pass.
  if (!DATABASE_NAME.test(name)) throw new Error(`invalid test database name ${JSON.stringify(name)}: use [A-Za-z0-9_], at most 64 chars`);
}

async function withAdminConnection(serverUrl: string, work: (conn: Awaited<ReturnType<typeof createConnection>>) => Promise<unknown>): Promise<void> {
  const url = new URL(serverUrl);
  const conn = await createConnection({
    host: url.hostname,
    port: Number(url.port || 3306),
    user: decodeURIComponent(url.username),
    password: decodeURIComponent(url.password),
  });
  try {
    await work(conn);
  } finally {
    await conn.end();
  }
}

function bootstrapSql(): string {
  const statements = [];
  // 127.0.0.1 for TCP clients (name resolution is off), localhost for socket clients.
  for (const host of ['127.0.0.1', 'localhost']) {
    statements.push(
      `CREATE USER IF NOT EXISTS '${APP_USER}'@'${host}' IDENTIFIED BY '${APP_PASSWORD}'`,
      // ALL on *.*: each test file creates and drops its own database.
      `GRANT ALL PRIVILEGES ON *.* TO '${APP_USER}'@'${host}'`,
    );
  }
  statements.push(`CREATE DATABASE IF NOT EXISTS \`${DEFAULT_DATABASE}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  return statements.join(';\n') + ';';
}

interface ReadyCheck {
  readonly child: ChildProcess;
  readonly admin: string;
  readonly socket: string;
  readonly socketUser: string;
  readonly errorLog: string;
}

/** Polls `mariadb-admin ping`; false if mariadbd exited first, throws on timeout. */
async function waitUntilReady({ child, admin, socket, socketUser, errorLog }: ReadyCheck): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!isAlive(child)) return false;
    try {
      await execFileAsync(admin, ['--no-defaults', `--socket=${socket}`, `--user=${socketUser}`, '--connect-timeout=2', 'ping'], { timeout: 5_000 });
      return true;
    } catch {
      await delay(100);
    }
  }
  child.kill('SIGKILL');
  throw new Error(`mariadbd did not answer ping within ${READY_TIMEOUT_MS / 1000} s. Error log tail:\n${readTail(errorLog)}`);
}

async function runTool(file: string, args: readonly string[]): Promise<void> {
  try {
    await execFileAsync(file, [...args], { timeout: 60_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stderr, stdout } = error as { stderr?: string; stdout?: string };
    const output = [stderr, stdout].filter(Boolean).join('\n').trim().split('\n').slice(-20).join('\n');
    throw new Error(`${file} failed:\n${output}`, { cause: error });
  }
}

function isAlive(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function waitForExit(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (!isAlive(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function readTail(file: string, lines = 30): string {
  if (!existsSync(file)) return '(no error log written)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
