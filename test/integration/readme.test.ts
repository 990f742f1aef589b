/**
 * The README as a new user meets it: every ```bash block, in order, verbatim, in a clean folder where `npx
 * pickwise` is this checkout's CLI (linked as an installed package would be). A command fails the test when it
 * exits non-zero or prints nothing. Three kinds of step are left out, by name, because a test run cannot take
 * them: installing system packages and `npm ci` (done before the tests run) and `npm test` (this run itself).
 * `pickwise serve`, `pickwise dashboard` and `pickwise up` run in the background for the rest of their block (on a free port:
 * `127.0.0.1:8080` in the block's commands is rewritten to it) and are then stopped with SIGTERM sent to `npx`, as
 * a person would.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { andSteps, readmeBlocks } from '../support/readme-commands.ts';
import { REPO_ROOT } from '../support/run-cli.ts';

const SKIPPED_STEPS: readonly RegExp[] = [/^apt-get (update|install)\b/, /^npm ci$/, /^npm test$/];
const COMMAND_TIMEOUT_MS = 300_000;
/** A recommendation warning in an answer (`"warnings":[{"code":…}]`, or the CLI's `warning CODE:` lines). */
const WARNING_IN_ANSWER =
  /"warnings":\[\{|^warning\b|\b(UNKNOWN_CATEGORY|UNKNOWN_REGION|NO_MATCHING_SERVICE|NOTHING_LEFT|UNKNOWN_SERVICE|FOLD_IN_UNSUPPORTED|CATALOG_STALE|REGION_UNAVAILABLE)\b/m;
/** A log line at warn level or above, pretty or JSON. */
const WARNING_LOGGED = /\b(WARN|ERROR|FATAL)\b|"level":(40|50|60)\b/;

interface Result {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function shell(command: string, o: { cwd: string; env: NodeJS.ProcessEnv }): { child: ChildProcess; done: Promise<Result> } {
  const child = spawn('bash', ['-c', command], { cwd: o.cwd, env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), COMMAND_TIMEOUT_MS);
  const done = new Promise<Result>((resolve) =>
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
  return { child, done };
}

/** Whether something accepts connections on 127.0.0.1:port. */
function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('README', () => {
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let port: number;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'pickwise-readme-'));
    // A folder where `npx pickwise` and `npm run demo` find this checkout, as after `npm ci` in a clone.
    const repoPackage = JSON.parse(readFileSync(path.join(REPO_ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    await writeFile(path.join(dir, 'package.json'), JSON.stringify({ name: 'readme-check', private: true, scripts: { demo: repoPackage.scripts['demo'] } }));
    await mkdir(path.join(dir, 'node_modules', '.bin'), { recursive: true });
    await symlink(path.join(REPO_ROOT, 'bin', 'pickwise.js'), path.join(dir, 'node_modules', '.bin', 'pickwise'));
    await symlink(path.join(REPO_ROOT, 'bin'), path.join(dir, 'bin'));
    port = await freePort();
    env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('PICKWISE_')));
    env['PICKWISE_SERVE__PORT'] = String(port);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('runs every command block verbatim, in order, on a clean home', async () => {
    const blocks = readmeBlocks(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8'));
    expect(blocks.length).toBeGreaterThan(3);
    let ran = 0;
    for (const block of blocks) {
      let server: { child: ChildProcess; done: Promise<Result>; line: number } | undefined;
      for (const command of block.commands) {
        const steps = andSteps(command.text).filter((s) => !SKIPPED_STEPS.some((p) => p.test(s.replace(/\s+#.*$/, ''))));
        if (steps.length === 0) continue;
        const text = steps.join(' && ').replaceAll('127.0.0.1:8080', `127.0.0.1:${port}`);
        const where = `README line ${command.line}: ${command.text}`;
        if (/\bpickwise (serve|dashboard|up)\b/.test(text)) {
          const started = shell(text, { cwd: dir, env });
          server = { ...started, line: command.line };
          let up = false;
          for (let i = 0; i < 600 && !up && started.child.exitCode === null; i++) {
            await new Promise((r) => setTimeout(r, 100));
            up = await listening(port);
          }
          expect(up, `${where}\nthe server did not start:\n${(await Promise.race([started.done, Promise.resolve(undefined)]))?.stderr ?? ''}`).toBe(true);
          ran++;
          continue;
        }
        const r = await shell(text, { cwd: dir, env }).done;
        expect(r.code, `${where}\nexit ${r.code}\n${r.stderr}`).toBe(0);
        expect(r.stdout.trim(), `${where}\nprinted nothing on stdout\n${r.stderr}`).not.toBe('');
        // An example that only "works" with a warning (an unknown filter, a stale catalog, an ignored service) is broken.
        expect(r.stdout, `${where}\nanswered with a warning`).not.toMatch(WARNING_IN_ANSWER);
        expect(r.stderr, `${where}\nlogged a warning or an error`).not.toMatch(WARNING_LOGGED);
        ran++;
      }
      if (server) {
        // SIGTERM to npx, as a person (or a process manager) stops it: the node server must stop too.
        server.child.kill('SIGTERM');
        await server.done;
        let up = true;
        for (let i = 0; i < 100 && up; i++) {
          await new Promise((r) => setTimeout(r, 100));
          up = await listening(port);
        }
        expect(up, `README line ${server.line}: the server still listens on ${port} after SIGTERM to npx`).toBe(false);
      }
    }
    expect(ran).toBeGreaterThan(8);
  }, 1_800_000);
});
