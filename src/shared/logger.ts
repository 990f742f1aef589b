import { pino, type Logger } from 'pino';

export type { Logger };

/** Keys never written to logs, at any depth we know of. */
export const REDACT_PATHS: readonly string[] = [
  'password',
  '*.password',
  'secretAccessKey',
  '*.secretAccessKey',
  'accessKeyId',
  '*.accessKeyId',
  'authorization',
  '*.authorization',
  'apiKey',
  '*.apiKey',
  'apiKeys',
  '*.apiKeys',
  'headers["x-api-key"]',
  '*.headers["x-api-key"]',
  'url',
  '*.url',
  'webhookUrl',
  '*.webhookUrl',
  '*.*.webhookUrl',
];

/**
 * The one logger of a process, created by the runtime and passed down. JSON lines on stderr (stdout is
 * for command results); on a terminal, a short human format instead.
 */
export function createLogger(options: { level: string; pretty?: boolean; destination?: NodeJS.WritableStream }): Logger {
  const destination = options.destination ?? process.stderr;
  const pretty = options.pretty ?? (destination === process.stderr && process.stderr.isTTY === true);
  const base = {
    level: options.level,
    base: undefined,
    redact: { paths: [...REDACT_PATHS], censor: '***' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  if (!pretty) return pino(base, destination as pino.DestinationStream);
  return pino(base, {
    write(line: string) {
      try {
        const { level, time, msg, ...rest } = JSON.parse(line) as Record<string, unknown>;
        const name = pino.levels.labels[Number(level)] ?? String(level);
        const extra = Object.keys(rest).length > 0 ? ` ${JSON.stringify(rest)}` : '';
        destination.write(`${String(time).slice(11, 19)} ${name.padEnd(5)} ${String(msg ?? '')}${extra}\n`);
      } catch {
        destination.write(line);
      }
    },
  });
}

/**
 * `logger` for one stage of the data flow. A log line names its stage once: the first `stage` binding stays, and a
 * part running inside another stage's process (alerts in the API, a feedback shipper) is named as its `component`
 * instead of a second `stage` key (which JSON readers would collapse to the last one).
 */
export function stageLogger(logger: Logger, stage: string, bindings: Record<string, unknown> = {}): Logger {
  const current = logger.bindings();
  const named = current['stage'] === stage || current['component'] === stage;
  const own = named ? {} : current['stage'] === undefined ? { stage } : { component: stage };
  return Object.keys(own).length + Object.keys(bindings).length === 0 ? logger : logger.child({ ...own, ...bindings });
}

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
