/**
 * A throwaway Redis server for tests, started from the Debian `redis-server` binary in a private temp folder on a
 * free loopback port. There is no systemd here, so the test set-up owns the whole lifecycle: start daemonized with
 * a pid file, wait until it answers PING, stop with SHUTDOWN NOSAVE (or the pid file), delete the folder.
 * Nothing is persisted (`--save ''`, `--appendonly no`): each test isolates itself with its own queue prefix.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants as fsConstants, existsSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.ts';

const execFileAsync = promisify(execFile);

const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;

/** A running test server. */
export interface RedisServer {
  /** `redis://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** The unix socket the server also listens on. */
  readonly socket: string;
  /** Shuts the server down (no save) and deletes its temp folder. Safe to call twice. */
  stop(): Promise<void>;
}

/** The `redis-server` program on PATH or in the usual folders, or undefined when it is not installed. */
export function findRedisServer(): string | undefined {
  for (const dir of [...(process.env.PATH ?? '').split(delimiter).filter(Boolean), '/usr/bin', '/usr/sbin', '/usr/local/bin']) {
    const candidate = join(dir, 'redis-server');
    try {
      accessSync(candidate, fsConstants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** Starts `redis-server` daemonized on a free loopback port (re-picked if another process takes it first). */
export async function startRedis(): Promise<RedisServer> {
  const bin = findRedisServer();
  if (!bin) throw new Error('redis-server not found; apt-get install -y redis-server');
  const dir = await mkdtemp(join(tmpdir(), 'pickwise-redis-'));
  const pidFile = join(dir, 'redis.pid');
  const logFile = join(dir, 'redis.log');
  const socket = join(dir, 'redis.sock');

  // If the runner dies without calling stop(), no orphan server may survive it.
  const killOnExit = (): void => {
    const pid = readPid(pidFile);
    if (pid !== undefined) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
    try {
      rmSync(dir, { recursive: true, force: true });
    } catch {
      // best effort while the process is exiting
    }
  };
  process.on('exit', killOnExit);

  try {
    for (let attempt = 1; ; attempt++) {
      const port = await freePort();
      await execFileAsync(
        bin,
        [
          '--bind',
          '127.0.0.1',
          '--port',
          String(port),
          '--unixsocket',
          socket,
          '--unixsocketperm',
          '700',
          '--daemonize',
          'yes',
          '--pidfile',
          pidFile,
          '--logfile',
          logFile,
          '--dir',
          dir,
          '--save',
          '',
          '--appendonly',
          'no',
          // Tests never need more; a runaway test fails loudly instead of eating the machine's memory.
          '--maxmemory',
          '512mb',
        ],
        { timeout: 10_000 },
      );
      if (await waitUntilReady(port, pidFile)) {
        let stopped = false;
        return {
          url: `redis://127.0.0.1:${port}`,
          port,
          socket,
          async stop() {
            if (stopped) return;
            stopped = true;
            try {
              const pid = readPid(pidFile);
              await command(port, 'SHUTDOWN NOSAVE').catch(() => undefined);
              if (pid !== undefined && !(await waitForExit(pid, pidFile, STOP_TIMEOUT_MS))) process.kill(pid, 'SIGKILL');
              await rm(dir, { recursive: true, force: true });
            } finally {
              process.off('exit', killOnExit);
            }
          },
        };
      }
      // Another process may take the port between freePort() and the bind: retry what we picked, a few times.
      const log = readTail(logFile);
      if (attempt >= 3 || !/Address already in use/i.test(log)) throw new Error(`redis-server did not start on port ${port}. Log tail:\n${log}`);
    }
  } catch (error) {
    killOnExit();
    process.off('exit', killOnExit);
    throw error;
  }
}

/** Polls PING until PONG; false when the server's pid file never appeared or its process died (e.g. port taken). */
async function waitUntilReady(port: number, pidFile: string): Promise<boolean> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    const reply = await command(port, 'PING').catch(() => '');
    if (reply.startsWith('+PONG')) return true;
    const pid = readPid(pidFile);
    if (pid !== undefined && !isAlive(pid)) return false;
    await delay(50);
  }
  const pid = readPid(pidFile);
  if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
  return false;
}

/** Sends one inline command and resolves with the first reply chunk. */
function command(port: number, line: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(2_000, () => socket.destroy(new Error('redis did not answer')));
    socket.once('error', reject);
    socket.once('connect', () => socket.write(`${line}\r\n`));
    socket.on('data', (d: Buffer) => {
      reply += d.toString();
      if (reply.includes('\r\n')) socket.end();
    });
    // SHUTDOWN closes the connection without a reply.
    socket.once('close', () => resolve(reply));
  });
}

function readPid(pidFile: string): number | undefined {
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Redis removes its pid file when it shuts down (its process may linger as a zombie where nothing reaps it). */
async function waitForExit(pid: number, pidFile: string, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!existsSync(pidFile) || !isAlive(pid)) return true;
    await delay(25);
  }
  return false;
}

function readTail(file: string, lines = 20): string {
  if (!existsSync(file)) return '(no log written)';
  return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
