import { describe, expect, it } from 'vitest';
import { dag, harness } from '../../test/support/scheduler-harness.ts';
import { localDate } from './cron-schedule.ts';
import type { LandingFile } from './scheduler-types.ts';

const one = [{ id: 'only', job: 'NOOP' }];
const daily = (extra: Record<string, unknown> = {}) => dag({ id: 'daily', schedule: '0 3 * * *', tasks: one, ...extra });
const HOUR = 3600;

describe('Scheduler: creating and starting runs', () => {
  it('creates one cron run per fire time, once, however many ticks and schedulers see it', async () => {
    const h = harness({ dags: [daily()], start: new Date('2026-03-02T02:00:00Z') });
    expect((await h.scheduler.tick()).runsCreated).toEqual(['cron@2026-03-01T03:00:00.000Z']); // the latest due at first sight
    h.setNow(new Date('2026-03-02T03:00:00Z'));
    const [a, b] = await Promise.all([h.scheduler.tick(), h.second().tick()]);
    expect([...a.runsCreated, ...b.runsCreated]).toEqual(['cron@2026-03-02T03:00:00.000Z']);
    await h.scheduler.tick();
    expect((await h.store.runs({ dagId: 'daily' })).map((r) => r.runKey)).toEqual(['cron@2026-03-02T03:00:00.000Z', 'cron@2026-03-01T03:00:00.000Z']);
  });

  it('gives two DAGs on one schedule a run each', async () => {
    const h = harness({ dags: [daily(), dag({ id: 'twin', schedule: '0 3 * * *', tasks: one })], start: new Date('2026-03-02T03:00:00Z') });
    expect((await h.scheduler.tick()).runsCreated).toEqual(['cron@2026-03-02T03:00:00.000Z', 'cron@2026-03-02T03:00:00.000Z']);
    expect((await h.store.runs({})).map((r) => r.dagId).sort()).toEqual(['daily', 'twin']);
  });

  it('fires a daily 02:30 Europe/Berlin DAG once per day across spring-forward and fall-back', async () => {
    const berlin = dag({ id: 'berlin', schedule: '30 2 * * *', timezone: 'Europe/Berlin', tasks: one, maxActiveRuns: 10 });
    for (const [start, days] of [
      ['2026-03-27T12:00:00Z', ['2026-03-27', '2026-03-28', '2026-03-29', '2026-03-30', '2026-03-31']],
      ['2026-10-23T12:00:00Z', ['2026-10-23', '2026-10-24', '2026-10-25', '2026-10-26', '2026-10-27']],
    ] as const) {
      const h = harness({ dags: [berlin], start: new Date(start) });
      for (let i = 0; i < 4 * 24 * 4; i++) {
        await h.scheduler.tick();
        h.advance(HOUR / 4);
      }
      const runs = await h.store.runs({ dagId: 'berlin' });
      expect(runs.map((r) => localDate(r.logicalTime, 'Europe/Berlin')).sort()).toEqual(days);
    }
  });

  it('pausing stops new runs; unpausing runs only the latest missed fire time, unless catchup is on', async () => {
    for (const catchup of [false, true]) {
      const h = harness({ dags: [daily({ catchup, maxActiveRuns: 10 })], start: new Date('2026-03-02T04:00:00Z') });
      await h.scheduler.tick();
      await h.scheduler.pause('daily');
      for (let day = 0; day < 5; day++) {
        h.advance(24 * HOUR);
        expect((await h.scheduler.tick()).runsCreated).toEqual([]);
      }
      await h.scheduler.unpause('daily');
      const created = (await h.scheduler.tick()).runsCreated;
      expect(created).toEqual(catchup ? ['03', '04', '05', '06', '07'].map((d) => `cron@2026-03-${d}T03:00:00.000Z`) : ['cron@2026-03-07T03:00:00.000Z']);
      expect((await h.scheduler.tick()).runsCreated).toEqual([]);
    }
  });

  it('makes one run per run key: a repeated manual trigger with the same id gives the same run', async () => {
    const h = harness({ dags: [daily()] });
    const first = await h.scheduler.trigger('daily', { runKey: 'req-42' });
    const again = await h.scheduler.trigger('daily', { runKey: 'req-42' });
    expect(first.created).toBe(true);
    expect(again).toEqual({ run: first.run, created: false });
    expect(first.run.runKey).toBe('manual@req-42');
    expect((await h.scheduler.trigger('daily')).run.runKey).toMatch(/^manual@[0-9a-f-]{36}$/);
    await expect(h.scheduler.trigger('nope')).rejects.toThrow(/no DAG nope/);
  });

  it('keeps at most maxActiveRuns running and starts queued runs oldest first', async () => {
    const h = harness({ dags: [dag({ id: 'daily', tasks: one, maxActiveRuns: 1 })] });
    const runs = [];
    for (let i = 0; i < 3; i++) {
      runs.push((await h.scheduler.trigger('daily')).run);
      h.advance(1);
    }
    for (let i = 0; i < 3; i++) {
      await h.scheduler.tick();
      expect((await h.store.runs({ dagId: 'daily', states: ['running'] })).map((r) => r.id)).toEqual([runs[i]!.id]);
      await h.finish(h.submitted('only', runs[i]!.id));
      await h.scheduler.tick();
    }
    expect((await h.store.runs({ dagId: 'daily', states: ['success'] })).length).toBe(3);
  });

  it('keeps maxActiveRuns when two schedulers start runs at once', async () => {
    const h = harness({ dags: [dag({ id: 'daily', tasks: one, maxActiveRuns: 2 })] });
    const other = h.second();
    for (let i = 0; i < 5; i++) await h.scheduler.trigger('daily');
    for (let round = 0; round < 3; round++) {
      await Promise.all([h.scheduler.tick(), other.tick()]);
      expect((await h.store.runs({ dagId: 'daily', states: ['running'] })).length).toBe(2);
    }
  });

  it('ticks by itself between start and stop', async () => {
    const h = harness({ dags: [daily()] });
    h.scheduler.start({ tickSeconds: 3600 });
    await h.scheduler.stop(); // waits for the first tick, then no more
    expect((await h.store.runs({})).map((r) => r.runKey)).toEqual(['cron@2026-03-02T03:00:00.000Z']);
  });

  it('backfills 10 days as 10 runs with at most maxActive running at once; a dry run creates nothing', async () => {
    const h = harness({ dags: [daily({ timezone: 'Europe/Berlin' })], start: new Date('2026-04-01T12:00:00Z') });
    const plan = await h.scheduler.backfill('daily', { from: '2026-03-20', to: '2026-03-29', maxActive: 3, dryRun: true });
    expect(plan.map((d) => d.runKey)).toEqual(Array.from({ length: 10 }, (_, i) => `backfill@2026-03-${String(20 + i)}`));
    expect(plan[9]?.logicalTime.toISOString()).toBe('2026-03-28T23:00:00.000Z'); // midnight in Berlin, summer time
    expect(await h.store.runs({})).toEqual([]);
    await h.scheduler.pause('daily'); // no cron run in the way
    await h.scheduler.unpause('daily');
    await h.store.setCronCursor('daily', new Date('2026-04-01T03:00:00Z'));
    const days = await h.scheduler.backfill('daily', { from: '2026-03-20', to: '2026-03-29', maxActive: 3 });
    expect(days.filter((d) => d.created)).toHaveLength(10);
    expect((await h.scheduler.backfill('daily', { from: '2026-03-20', to: '2026-03-29', maxActive: 3 })).filter((d) => d.created)).toHaveLength(0);
    let peak = 0;
    for (let i = 0; i < 20; i++) {
      await h.scheduler.tick();
      const running = await h.store.runs({ dagId: 'daily', states: ['running'] });
      peak = Math.max(peak, running.length);
      for (const run of running) {
        const attempt = h.executor.submits.find((a) => a.runId === run.id);
        if (attempt && (await h.store.taskInstances(run.id))[0]?.state === 'queued') await h.finish(attempt);
      }
    }
    expect(peak).toBe(3);
    expect((await h.store.runs({ dagId: 'daily', states: ['success'] })).length).toBe(10);
    await expect(h.scheduler.backfill('daily', { from: '2026-03-29', to: '2026-03-20' })).rejects.toThrow(/after/);
    await expect(h.scheduler.backfill('daily', { from: '2026-02-30', to: '2026-03-20' })).rejects.toThrow(/--from must be a date YYYY-MM-DD, got "2026-02-30"/);
    await expect(h.scheduler.backfill('daily', { from: '2020-01-01', to: '2026-01-01' })).rejects.toThrow(/more than 1000/);
  });

  it('alerts once per run when it misses its deadline while running', async () => {
    const h = harness({ dags: [dag({ id: 'daily', tasks: one, deadline: '10m' })] });
    const { run } = await h.scheduler.trigger('daily');
    await h.scheduler.tick();
    h.advance(599);
    expect((await h.scheduler.tick()).deadlineAlerts).toBe(0);
    h.advance(1);
    expect((await h.scheduler.tick()).deadlineAlerts).toBe(1);
    h.advance(60);
    expect((await Promise.all([h.scheduler.tick(), h.second().tick()])).map((r) => r.deadlineAlerts)).toEqual([0, 0]);
    expect(h.alerts).toEqual([expect.objectContaining({ kind: 'deadline_missed', runId: run.id, message: expect.stringMatching(/missed its deadline/) })]);
    expect((await h.store.run(run.id))?.deadlineAlertedAt).toEqual(new Date(run.createdAt.getTime() + 600_000));
    // A run waiting for a slot is late too.
    const waiting = (await h.scheduler.trigger('daily')).run;
    h.advance(600);
    await h.scheduler.tick();
    expect(h.alerts.map((a) => [a.runId, a.message.replace(/.*: it is still /, '')])).toEqual([
      [run.id, 'running'],
      [waiting.id, 'queued'],
    ]);
  });

  it('creates one run per new landing file, keyed by its content', async () => {
    let files: LandingFile[] = [{ key: 'landing/a.csv', sha256: 'a'.repeat(64), size: 10, modifiedAt: new Date(0) }];
    const onLanding = dag({ id: 'on-landing', sensors: [{ kind: 'landing' }], tasks: one, maxActiveRuns: 5 });
    const h = harness({ dags: [onLanding], landing: { newFiles: async () => files } });
    expect((await h.scheduler.tick()).runsCreated).toEqual([`file@landing/a.csv#${'a'.repeat(64)}`]);
    expect((await h.scheduler.tick()).runsCreated).toEqual([]);
    files = [...files, { key: 'landing/a.csv', sha256: 'b'.repeat(64), size: 12, modifiedAt: new Date(1) }];
    expect((await h.scheduler.tick()).runsCreated).toEqual([`file@landing/a.csv#${'b'.repeat(64)}`]);
    expect((await h.store.runs({}))[0]?.conf).toEqual({ objectKey: 'landing/a.csv', sha256: 'b'.repeat(64), size: 12 });
  });
});
