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

/** A logger that drops everything (tests, library use). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
