/**
 * The shipper end to end: an in-memory outbox, a cursor, and the ElasticsearchSink through the real
 * `@elastic/elasticsearch` client against a loopback fake of Elasticsearch (test/support/fake-elasticsearch.ts).
 * No Elasticsearch server can be installed on this machine (neither a Debian package nor on npm), so
 * compatibility with a real cluster is not proven here. Sleeps are injected: no test waits for real time.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogger } from '../../../test/support/captured-logger.ts';
import { startFakeElasticsearch, type FakeElasticsearch } from '../../../test/support/fake-elasticsearch.ts';
import { feedbackEvent } from '../../../test/support/feedback-events.ts';
import { configSchema } from '../../config/schema.ts';
import { BackendUnavailableError, ValidationError } from '../../shared/errors.ts';
import type { Sleep } from './backoff.ts';
import type { ElasticsearchSink } from './elasticsearch-sink.ts';
import { FileShipCursor } from './file-ship-cursor.ts';
import { MemoryFeedbackOutbox } from './memory-feedback-outbox.ts';
import { MemoryShipCursor } from './memory-ship-cursor.ts';
import { openElasticsearchSink } from './open-elasticsearch-sink.ts';
import type { ShipCursor } from './ship-cursor.ts';
import { Shipper } from './shipper.ts';

const BACKOFF = { initialMs: 100, maxMs: 1000 };

/** A sleep that returns at once, records each delay, runs `onSleep`, and refuses to loop forever. */
function recordingSleep(onSleep: (ms: number, call: number) => void = () => {}): { sleep: Sleep; delays: number[] } {
  const delays: number[] = [];
  const sleep: Sleep = async (ms, signal) => {
    delays.push(ms);
    if (delays.length > 500) throw new Error('test loop did not end');
    onSleep(ms, delays.length);
    if (signal?.aborted) throw new Error('aborted');
  };
  return { sleep, delays };
}

/** A cursor whose `set` fails once after `okSets` writes: the process "dies" after the sink answered, before the cursor moved. */
class CrashingCursor implements ShipCursor {
  #sets = 0;
  constructor(
    readonly inner: ShipCursor,
    readonly okSets: number,
  ) {}
  get(): Promise<number> {
    return this.inner.get();
  }
  async set(feedbackId: number): Promise<void> {
    if (this.#sets++ >= this.okSets) throw new Error('killed before the cursor write');
    await this.inner.set(feedbackId);
  }
}

describe('Shipper', () => {
  let fake: FakeElasticsearch;
  const sinks: ElasticsearchSink[] = [];
  beforeEach(async () => {
    fake = await startFakeElasticsearch();
  });
  afterEach(async () => {
    for (const sink of sinks.splice(0)) await sink.close();
    await fake.close();
  });

  const esSink = (overrides: Record<string, unknown> = {}, sleep?: Sleep) => {
    const config = configSchema.parse({ feedback: { elasticsearch: { url: fake.url, maxAttempts: 3, ...overrides } } });
    const sink = openElasticsearchSink(config.feedback.elasticsearch, { sleep: sleep ?? (async () => {}), random: () => 0.5 });
    sinks.push(sink);
    return sink;
  };
  const outboxOf = (n: number, from = 1) => new MemoryFeedbackOutbox(Array.from({ length: n }, (_, i) => feedbackEvent(from + i)));
  const shipper = (parts: {
    outbox: MemoryFeedbackOutbox;
    cursor: ShipCursor;
    sink?: ElasticsearchSink;
    sleep?: Sleep;
    batchSize?: number;
    logger?: ReturnType<typeof capturedLogger>['logger'];
  }) =>
    new Shipper({
      outbox: parts.outbox,
      cursor: parts.cursor,
      sink: parts.sink ?? esSink(),
      logger: parts.logger ?? capturedLogger().logger,
      batchSize: parts.batchSize ?? 10,
      pollMs: 2000,
      backoff: BACKOFF,
      random: () => 0.5,
      ...(parts.sleep ? { sleep: parts.sleep } : {}),
    });
  const storedIds = () => [...fake.indices.values()].flatMap((docs) => [...docs.keys()]).sort();
  const allIds = (n: number) => Array.from({ length: n }, (_, i) => `evt-${i + 1}`).sort();

  it('ships everything after the cursor in batches, moves the cursor to the last event and logs one line per batch', async () => {
    const log = capturedLogger();
    const cursor = new MemoryShipCursor();
    const totals = await shipper({ outbox: outboxOf(25), cursor, batchSize: 10, logger: log.logger }).drain();
    expect(totals).toEqual({ batches: 3, created: 25, duplicates: 0, failed: 0, cursor: 25 });
    expect(await cursor.get()).toBe(25);
    expect(storedIds()).toEqual(allIds(25));
    const lines = log.lines().filter((l) => l.msg === 'feedback batch shipped');
    expect(lines.map((l) => [l.events, l.created, l.fromFeedbackId, l.toFeedbackId, l.cursor])).toEqual([
      [10, 10, 1, 10, 10],
      [10, 10, 11, 20, 20],
      [5, 5, 21, 25, 25],
    ]);
    expect(lines.every((l) => typeof l.ms === 'number' && l.attempts === 1 && l.duplicates === 0)).toBe(true);
  });

  it('resumes from a file cursor after a restart, shipping only what came since', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-ship-'));
    try {
      const file = path.join(dir, 'feedback', 'elasticsearch.cursor.json');
      const outbox = outboxOf(8);
      await shipper({ outbox, cursor: new FileShipCursor({ file }) }).drain();
      for (let id = 9; id <= 12; id++) outbox.add(feedbackEvent(id));
      const totals = await shipper({ outbox, cursor: new FileShipCursor({ file }) }).drain();
      expect(totals).toMatchObject({ created: 4, duplicates: 0, cursor: 12 });
      expect(await new FileShipCursor({ file }).get()).toBe(12);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('delivers every event exactly once by id when killed after the sink answered but before the cursor write', async () => {
    const stored = new MemoryShipCursor();
    const outbox = outboxOf(30);
    // First run: batch 1 is confirmed and recorded; the process dies after the sink stored batch 2.
    await expect(shipper({ outbox, cursor: new CrashingCursor(stored, 1), batchSize: 10 }).drain()).rejects.toThrow(/killed before the cursor write/);
    expect(await stored.get()).toBe(10);
    expect(storedIds()).toHaveLength(20);

    // Restart: batch 2 is sent again and answered 409 (already delivered), then the rest.
    const totals = await shipper({ outbox, cursor: stored, batchSize: 10 }).drain();
    expect(totals).toEqual({ batches: 2, created: 10, duplicates: 10, failed: 0, cursor: 30 });
    expect(storedIds()).toEqual(allIds(30));
    expect([...fake.storedCount.values()].every((n) => n === 1)).toBe(true);
    expect(fake.storedCount.size).toBe(30);
  });

  it('loses nothing in an outage: the run fails clearly, the cursor stays, and the next run delivers everything once', async () => {
    const cursor = new MemoryShipCursor();
    const outbox = outboxOf(12);
    await shipper({ outbox, cursor, batchSize: 5 }).drain(); // 1–12 shipped
    for (let id = 13; id <= 20; id++) outbox.add(feedbackEvent(id));
    fake.outage('unavailable');
    const error = await shipper({ outbox, cursor, batchSize: 5 })
      .drain()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/did not take event evt-13 \(feedbackId 13\): 503 .*the cursor stays at 12/);
    expect(await cursor.get()).toBe(12);
    fake.recover();
    const totals = await shipper({ outbox, cursor, batchSize: 5 }).drain();
    expect(totals).toMatchObject({ created: 8, duplicates: 0, cursor: 20 });
    expect(storedIds()).toEqual(allIds(20));
  });

  it('follows through an outage of any length: waits with growing, capped delays, then catches up', async () => {
    const cursor = new MemoryShipCursor();
    const outbox = outboxOf(7);
    const stop = new AbortController();
    fake.outage('reset');
    const { sleep, delays } = recordingSleep((ms, call) => {
      if (call === 12) fake.recover(); // eleven rounds failed: an outage longer than any single retry budget
      if (ms === 2000) stop.abort(); // the first poll after catching up
    });
    const totals = await shipper({ outbox, cursor, sink: esSink({ maxAttempts: 1 }), sleep, batchSize: 3 }).follow({ signal: stop.signal });
    expect(totals).toMatchObject({ created: 7, cursor: 7 });
    expect(storedIds()).toEqual(allIds(7));
    // Rounds while down: 75, 150, 300, 600, then capped at 750 (random 0.5 → three quarters of each step).
    expect(delays.slice(0, 12)).toEqual([75, 150, 300, 600, 750, 750, 750, 750, 750, 750, 750, 750]);
    expect(delays[delays.length - 1]).toBe(2000);
  });

  it('backs off on 429 and moves the cursor only past the confirmed prefix; the resend absorbs what was stored behind it', async () => {
    const cursor = new MemoryShipCursor();
    const outbox = outboxOf(6);
    fake.failItem('evt-3', 429, 3); // every one of the sink's 3 attempts
    const { sleep, delays } = recordingSleep();
    const error = await shipper({ outbox, cursor, sink: esSink({}, sleep), batchSize: 6 })
      .drain()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BackendUnavailableError);
    expect((error as Error).message).toMatch(/evt-3.*429 es_rejected_execution_exception/);
    // The default initialBackoffMs (200), doubled once; random 0.5 → three quarters of each step.
    expect(delays).toEqual([150, 300]);
    expect(await cursor.get()).toBe(2);
    // 4–6 were stored behind the stuck event; the next run sends 3–6 and they come back 409.
    const totals = await shipper({ outbox, cursor, batchSize: 6 }).drain();
    expect(totals).toEqual({ batches: 1, created: 1, duplicates: 3, failed: 0, cursor: 6 });
    expect([...fake.storedCount.values()].every((n) => n === 1)).toBe(true);
  });

  it('stops with a clear error at an event the sink refuses for good, the cursor just before it', async () => {
    const cursor = new MemoryShipCursor();
    fake.failItem('evt-4', 400);
    const error = await shipper({ outbox: outboxOf(6), cursor })
      .drain()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as Error).message).toMatch(
      /refused event evt-4 \(feedbackId 4\): 400 document_parsing_exception.*cursor stays at 3.*Fix the index or its mapping/,
    );
    expect(await cursor.get()).toBe(3);
  });

  it('in follow mode picks up events stored while it polls', async () => {
    const cursor = new MemoryShipCursor();
    const outbox = outboxOf(3);
    const stop = new AbortController();
    const { sleep } = recordingSleep((_ms, call) => {
      if (call === 1) for (let id = 4; id <= 9; id++) outbox.add(feedbackEvent(id));
      if (call === 2) stop.abort();
    });
    const log = capturedLogger();
    const totals = await shipper({ outbox, cursor, sleep, logger: log.logger }).follow({ signal: stop.signal });
    expect(totals).toMatchObject({ batches: 2, created: 9, cursor: 9 });
    expect(log.lines().some((l) => l.msg === 'feedback shipper stopped' && l.cursor === 9)).toBe(true);
  });

  it('on stop (SIGTERM) finishes the batch in flight and records it before returning', async () => {
    const cursor = new MemoryShipCursor();
    const stop = new AbortController();
    fake.onBulk(() => stop.abort()); // the signal arrives while the bulk request is in flight
    const totals = await shipper({ outbox: outboxOf(25), cursor, batchSize: 10, sleep: recordingSleep().sleep }).follow({ signal: stop.signal });
    expect(totals).toMatchObject({ batches: 1, created: 10, cursor: 10 });
    expect(await cursor.get()).toBe(10);
    expect(storedIds()).toHaveLength(10);
  });

  it('a one-off run stopped while retrying returns what it did instead of failing, the cursor where it was', async () => {
    const cursor = new MemoryShipCursor(4);
    const stop = new AbortController();
    fake.outage('unavailable');
    const { sleep } = recordingSleep(() => stop.abort());
    const totals = await shipper({ outbox: outboxOf(9), cursor, sink: esSink({}, sleep) }).drain({ signal: stop.signal });
    expect(totals).toEqual({ batches: 1, created: 0, duplicates: 0, failed: 5, cursor: 4 });
    expect(await cursor.get()).toBe(4);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => shipper({ outbox: outboxOf(1), cursor: new MemoryShipCursor(), batchSize: 0 })).toThrow(/batchSize must be a positive integer/);
  });
});
