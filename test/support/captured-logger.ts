import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/shared/logger.ts';

/** A log line as pino writes it (JSON), parsed. */
export type LogLine = Record<string, unknown> & { level: number; msg: string };

/** The project's logger (same redact list and format), writing JSON lines into memory for assertions. */
export function capturedLogger(level = 'debug'): { logger: Logger; lines: () => LogLine[]; text: () => string } {
  const chunks: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      chunks.push(String(chunk));
      done();
    },
  });
  const logger = createLogger({ level, pretty: false, destination });
  const text = () => chunks.join('');
  return {
    logger,
    text,
    lines: () =>
      text()
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l) as LogLine),
  };
}
