import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = path.join(REPO_ROOT, 'bin', 'pickwise.js');

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Starts `pickwise ARGS` as a real child process in `cwd`, with PICKWISE_* variables from `env` only. */
export function startCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): { child: ChildProcess; done: Promise<CliResult> } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('PICKWISE_')) env[k] = v;
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...env, ...options.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, done };
}

export function runCli(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliResult> {
  return startCli(args, options).done;
}

/**
 * Starts a long-running `pickwise ARGS` (serve, up) and waits, bounded, until it answers on `port`'s /readyz;
 * when it never does, it is killed and its stderr is the error.
 */
export async function startServing(args: readonly string[], options: { cwd: string; env?: Record<string, string>; port: number }) {
  const run = startCli(args, options);
  const base = `http://127.0.0.1:${options.port}`;
  for (let attempt = 0; attempt < 1200 && run.child.exitCode === null; attempt++) {
    if ((await fetch(`${base}/readyz`).catch(() => undefined))?.status === 200) return { run, base };
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  run.child.kill('SIGKILL');
  throw new Error(`pickwise ${args.join(' ')} did not start: ${(await run.done).stderr}`);
}
