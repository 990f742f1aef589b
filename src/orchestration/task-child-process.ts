import { fork, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { JobResult } from '../pipeline/index.ts';
import type { ChildMessage, ChildStart } from './task-child-protocol.ts';

/** How one try ended in its child process. */
export type ChildEnd = { readonly ok: true; readonly result: JobResult } | { readonly ok: false; readonly message: string; readonly retryable: boolean };

export interface RunInChildOptions {
  readonly start: Omit<ChildStart, 'type'>;
  /** Aborting kills the child: SIGTERM, then SIGKILL after `killGraceMs`. */
  readonly signal: AbortSignal;
  readonly onLog: (line: string) => void;
  /** Default 5 000. */
  readonly killGraceMs?: number;
}

/** Compiled (`dist/*.js`): the child module itself; from source: through a boot file that registers tsx first. */
function childCommand(): { readonly entry: string; readonly args: string[] } {
  if (import.meta.url.endsWith('.js')) return { entry: fileURLToPath(new URL('./task-child.js', import.meta.url)), args: [] };
  return { entry: fileURLToPath(new URL('./task-child-boot.mjs', import.meta.url)), args: [new URL('./task-child.ts', import.meta.url).href] };
}

/**
 * Runs one try in a child process of its own, so that a timeout or a cancelled run ends it for real (a CPU-bound
 * loop never sees an AbortSignal). Resolves when the child has sent its end and exited, or has been killed: the
 * abort's reason is then the end (retryable), and a child that dies without an end is a retryable crash.
 */
export function runInChild(o: RunInChildOptions): Promise<ChildEnd> {
  const { entry, args } = childCommand();
  const child = fork(entry, args, { execArgv: [], serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise<ChildEnd>((resolve) => {
    let end: ChildEnd | undefined;
    let killTimer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      const reason: unknown = o.signal.reason;
      end ??= { ok: false, message: reason instanceof Error ? reason.message : String(reason ?? 'aborted'), retryable: true };
      stop(child, o.killGraceMs ?? 5_000, (t) => (killTimer = t));
    };
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'log') o.onLog(m.line);
      else if (m.type === 'result') end ??= { ok: true, result: m.result };
      else end ??= { ok: false, message: m.message, retryable: m.retryable };
    });
    child.once('error', (error) => {
      end ??= { ok: false, message: `the task's child process failed: ${error.message}`, retryable: true };
    });
    child.once('exit', (code, signal) => {
      o.signal.removeEventListener('abort', kill);
      if (killTimer) clearTimeout(killTimer);
      resolve(end ?? { ok: false, message: `the task's child process exited (${signal ?? `code ${code}`}) before it finished`, retryable: true });
    });
    if (o.signal.aborted) kill();
    else o.signal.addEventListener('abort', kill, { once: true });
    child.send({ type: 'start', ...o.start } satisfies ChildStart);
  });
}

/** SIGTERM now; SIGKILL once `graceMs` has passed without an exit. */
function stop(child: ChildProcess, graceMs: number, onTimer: (t: NodeJS.Timeout) => void): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  timer.unref();
  onTimer(timer);
}
