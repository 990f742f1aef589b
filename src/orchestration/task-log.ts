import { pino } from 'pino';
import { REDACT_PATHS, type Logger } from '../shared/io.ts';
import type { OrchestrationStore, TaskLogLine } from './ports.ts';

/** Longest message kept per line; the rest is cut (a log line is for people, not a data channel). */
const MAX_MESSAGE = 8_000;
/** Lines buffered before a write to the store is started without waiting for the timer. */
const BATCH_LINES = 50;
/** Lines kept while the store cannot be written to; older ones are dropped beyond this. */
const MAX_BUFFERED = 10_000;

export interface TaskLogOptions {
  readonly store: OrchestrationStore;
  readonly runId: string;
  readonly taskId: string;
  readonly try: number;
  /** The process's logger: every line is forwarded to it too, with runId, taskId and try. */
  readonly processLogger: Logger;
  /** Lowest level kept; default 'info'. */
  readonly level?: string;
  /** Buffered lines are written at least this often, so the log is readable while the task runs; default 500. */
  readonly flushMs?: number;
  readonly clock?: () => Date;
}

/** The log of one try: a pino Logger for the job, whose lines are written in batches to the run history. */
export interface TaskLog {
  readonly logger: Logger;
  /** Takes one pino JSON line (from a child process's logger) as if logged here. */
  writeLine(line: string): void;
  /** Writes what is buffered now. */
  flush(): Promise<void>;
  /** Flushes and stops the timer. */
  close(): Promise<void>;
}

type Level = TaskLogLine['level'];

function levelOf(n: number): Level {
  if (n >= 50) return 'error';
  if (n >= 40) return 'warn';
  if (n >= 30) return 'info';
  return 'debug';
}

/** A pino logger with the project's redaction, writing JSON lines to `write`. */
export function lineLogger(write: (line: string) => void, level = 'info'): Logger {
  return pino({ level, base: undefined, redact: { paths: [...REDACT_PATHS], censor: '***' } }, { write });
}

export function createTaskLog(o: TaskLogOptions): TaskLog {
  const clock = o.clock ?? (() => new Date());
  const forward = o.processLogger.child({ runId: o.runId, taskId: o.taskId, try: o.try });
  let buffer: TaskLogLine[] = [];
  let seq = 0;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const flush = (): Promise<void> => {
    writing = writing.then(async () => {
      if (buffer.length === 0) return;
      const lines = buffer;
      buffer = [];
      try {
        await o.store.appendLogs(lines);
      } catch (error) {
        buffer = [...lines, ...buffer].slice(-MAX_BUFFERED);
        forward.warn({ err: error, lines: lines.length }, 'task log lines not written to the run history yet');
      }
    });
    return writing;
  };
  const timer = setInterval(() => void flush(), o.flushMs ?? 500);
  timer.unref();

  const writeLine = (line: string): void => {
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      record = { level: 30, msg: line.trim() };
    }
    const { level, time: _time, msg, ...fields } = record;
    const lvl = levelOf(Number(level));
    const extra = Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    const message = `${String(msg ?? '')}${extra}`.slice(0, MAX_MESSAGE);
    buffer.push({ runId: o.runId, taskId: o.taskId, try: o.try, seq: ++seq, at: clock(), level: lvl, message });
    forward[lvl](fields, String(msg ?? ''));
    if (buffer.length >= BATCH_LINES && !closed) void flush();
  };

  return {
    logger: lineLogger(writeLine, o.level ?? 'info'),
    writeLine,
    flush,
    async close() {
      closed = true;
      clearInterval(timer);
      await flush();
    },
  };
}
