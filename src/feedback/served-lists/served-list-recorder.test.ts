import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { servedList as list } from '../../../test/support/served-list.ts';
import { capturedLogger } from '../../../test/support/captured-logger.ts';
import { silentLogger } from '../../shared/logger.ts';
import type { ServedListRow } from '../../warehouse/index.ts';
import type { ServedListWriter } from './batch-committer.ts';
import { ServedListRecorder, type Every } from './served-list-recorder.ts';

/** A database stand-in: keeps what is committed by recommendation_id (idempotent like rec_list), can be taken away. */
class FakeDatabase implements ServedListWriter {
  readonly lists = new Map<string, ServedListRow>();
  commits = 0;
  away = false;
  async insertServedLists(rows: readonly ServedListRow[]): Promise<void> {
    if (this.away) throw new Error('connect ECONNREFUSED 127.0.0.1:3306');
    this.commits++;
    for (const r of rows) if (!this.lists.has(r.recommendationId)) this.lists.set(r.recommendationId, r);
  }
}

/** A timer the test fires by hand: one tick is one elapsed flush interval. */
function manualTimer() {
  const runs: (() => void)[] = [];
  const every: Every = (_ms, run) => {
    runs.push(run);
    return () => runs.splice(runs.indexOf(run), 1);
  };
  return { every, tick: () => runs.forEach((r) => r()), active: () => runs.length };
}

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

function setup(o: { db?: FakeDatabase; dir?: string; maxBufferedLists?: number; flushLists?: number; logger?: ReturnType<typeof silentLogger> } = {}) {
  const dir = o.dir ?? mkdtempSync(path.join(tmpdir(), 'pickwise-served-'));
  if (o.dir === undefined) dirs.push(dir);
  const db = o.db ?? new FakeDatabase();
  const timer = manualTimer();
  const counts = { recorded: 0, written: 0, dropped: 0, pending: 0 };
  const recorder = new ServedListRecorder({
    writer: db,
    dir,
    flushMs: 250,
    flushLists: o.flushLists ?? 100,
    maxBufferedLists: o.maxBufferedLists ?? 1000,
    logger: o.logger ?? silentLogger(),
    every: timer.every,
    observer: {
      recorded: (n) => (counts.recorded += n),
      written: (n) => (counts.written += n),
      dropped: (n) => (counts.dropped += n),
      pending: (n) => (counts.pending = n),
    },
  });
  return { dir, db, timer, counts, recorder };
}

describe('ServedListRecorder', () => {
  it('commits the buffer in groups at each interval, not per list', async () => {
    const { db, recorder, counts } = setup();
    await recorder.start();
    for (let i = 0; i < 5; i++) recorder.record(list(`r${i}`));
    expect(db.lists.size).toBe(0);
    await recorder.flush(); // what one timer tick runs
    expect([...db.lists.keys()]).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    expect(db.commits).toBe(1);
    expect(counts).toEqual({ recorded: 5, written: 5, dropped: 0, pending: 0 });
    await recorder.stop();
  });

  it('commits early when flushLists lists are waiting', async () => {
    const { db, recorder } = setup({ flushLists: 3 });
    await recorder.start();
    for (let i = 0; i < 3; i++) recorder.record(list(`r${i}`));
    await recorder.writeIfPending(['r0']); // awaits the commit the third list started
    expect(db.lists.size).toBe(3);
    await recorder.stop();
  });

  it('keeps serving through a database outage: lists wait on disk, are committed when it is back, and the outage is logged once', async () => {
    const { logger, lines } = capturedLogger();
    const { db, recorder, dir, counts } = setup({ logger });
    await recorder.start();
    db.away = true;
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 4; i++) expect(recorder.record(list(`r${round}-${i}`))).toBe(true);
      await recorder.flush();
    }
    expect(db.lists.size).toBe(0);
    expect(readdirSync(dir).filter((n) => n.endsWith('.jsonl'))).toHaveLength(3);
    expect(counts.pending).toBe(12);
    expect(recorder.buffered).toBe(0); // nothing held in memory while the database is away
    expect(lines().filter((l) => l.msg === 'writing served lists to the database failed')).toHaveLength(1);
    db.away = false;
    await recorder.flush();
    expect(db.lists.size).toBe(12);
    expect(readdirSync(dir)).toEqual([]);
    expect(counts).toMatchObject({ written: 12, pending: 0, dropped: 0 });
    expect(lines().filter((l) => l.msg === 'writing served lists to the database succeeded again')).toHaveLength(1);
    await recorder.stop();
  });

  it('loses nothing on stop (SIGTERM) while the database is away: the next process on the same home commits it', async () => {
    const db = new FakeDatabase();
    db.away = true;
    const first = setup({ db });
    await first.recorder.start();
    for (let i = 0; i < 7; i++) first.recorder.record(list(`r${i}`));
    await first.recorder.stop();
    expect(first.timer.active()).toBe(0);
    db.away = false;
    const second = setup({ db, dir: first.dir });
    await second.recorder.start();
    expect([...db.lists.keys()].sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4', 'r5', 'r6']);
    await second.recorder.stop();
  });

  it('a kill -9 loses at most the lists recorded since the last interval', async () => {
    const db = new FakeDatabase();
    db.away = true; // the worst case: nothing reaches the database before the kill
    const killed = setup({ db });
    await killed.recorder.start();
    for (let i = 0; i < 4; i++) killed.recorder.record(list(`before-${i}`));
    killed.timer.tick(); // one flush interval passes: its group commit starts
    await killed.recorder.flush(); // (waits for it, as a running process would)
    for (let i = 0; i < 2; i++) killed.recorder.record(list(`after-${i}`));
    // kill -9: the process is gone without stop(); its buffer with it.
    db.away = false;
    const next = setup({ db, dir: killed.dir });
    await next.recorder.start();
    expect([...db.lists.keys()].sort()).toEqual(['before-0', 'before-1', 'before-2', 'before-3']);
    await next.recorder.stop();
  });

  it('never holds more than maxBufferedLists: more are dropped and counted', async () => {
    const { recorder, counts, db } = setup({ maxBufferedLists: 3, flushLists: 100 });
    await recorder.start();
    const taken = [1, 2, 3, 4, 5].map((i) => recorder.record(list(`r${i}`)));
    expect(taken).toEqual([true, true, true, false, false]);
    expect(counts).toMatchObject({ recorded: 3, dropped: 2 });
    await recorder.stop();
    expect(db.lists.size).toBe(3);
  });

  it('commits a batch again harmlessly when the process died between commit and cleanup', async () => {
    const db = new FakeDatabase();
    const first = setup({ db });
    await first.recorder.start();
    db.away = true;
    first.recorder.record(list('r1'));
    await first.recorder.flush();
    db.away = false;
    await db.insertServedLists([list('r1')]); // committed, but its file is still on disk
    const second = setup({ db, dir: first.dir });
    await second.recorder.start();
    expect(db.lists.size).toBe(1);
    expect(readdirSync(first.dir)).toEqual([]);
    await second.recorder.stop();
  });
});
