/**
 * A shipper as its own process, for tests that stop it with real signals (SIGTERM, SIGKILL): an in-memory outbox
 * of `SHIP_EVENTS` events (evt-1 …), a file cursor at `SHIP_CURSOR_FILE`, and the Elasticsearch sink at `SHIP_ES_URL`,
 * in `SHIP_MODE` `drain` or `follow`, `SHIP_BATCH` events per batch. SIGTERM and SIGINT stop it after the batch in
 * flight. JSON log lines on stderr; the totals as JSON on stdout.
 * Run: node --import tsx test/support/ship-process.ts
 */
import { configSchema } from '../../src/config/schema.ts';
import { FileShipCursor, MemoryFeedbackOutbox, openElasticsearchSink, Shipper } from '../../src/feedback/index.ts';
import { createLogger } from '../../src/shared/io.ts';
import { feedbackEvent } from './feedback-events.ts';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const config = configSchema.parse({ feedback: { elasticsearch: { url: env('SHIP_ES_URL'), maxAttempts: 2, initialBackoffMs: 10, maxBackoffMs: 50 } } });
const es = config.feedback.elasticsearch;
const outbox = new MemoryFeedbackOutbox(Array.from({ length: Number(env('SHIP_EVENTS')) }, (_, i) => feedbackEvent(i + 1)));
const sink = openElasticsearchSink(es);
const logger = createLogger({ level: 'info', pretty: false });
const stop = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info({ signal }, 'stop requested');
    stop.abort();
  });
}
const shipper = new Shipper({
  outbox,
  cursor: new FileShipCursor({ file: env('SHIP_CURSOR_FILE') }),
  sink,
  logger,
  batchSize: Number(env('SHIP_BATCH')),
  pollMs: 50,
  backoff: { initialMs: es.initialBackoffMs, maxMs: es.maxBackoffMs },
});
try {
  const totals = env('SHIP_MODE') === 'follow' ? await shipper.follow({ signal: stop.signal }) : await shipper.drain({ signal: stop.signal });
  process.stdout.write(`${JSON.stringify(totals)}\n`);
} finally {
  await sink.close();
}
