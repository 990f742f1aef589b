import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewDagRun, NewTaskInstance, OrchestrationStore } from './ports.ts';

/** A store, `second` (another connection to the same history: another process's view) and a clean-up. */
export type OrchestrationStoreFactory = () => Promise<{
  store: OrchestrationStore;
  second: OrchestrationStore;
  cleanup(): Promise<void>;
}>;

const t0 = new Date('2026-03-01T03:00:00.125Z');
const at = (seconds: number): Date => new Date(t0.getTime() + seconds * 1000);

let counter = 0;
function newRun(o: Partial<NewDagRun> = {}): NewDagRun {
  counter += 1;
  const id = `0190c0de-0000-7000-8000-${String(counter).padStart(12, '0')}`;
  return { id, dagId: 'daily', runKey: `manual@${id}`, trigger: 'manual', logicalTime: t0, conf: {}, createdAt: t0, ...o };
}

const tasks: readonly NewTaskInstance[] = [
  { taskId: 'ingest', job: 'INGEST', pool: 'io', params: {}, maxTries: 3 },
  { taskId: 'train', job: 'TRAIN', pool: 'cpu', params: { kind: 'als', params: { factors: 8 } }, maxTries: 1 },
];

/**
 * The one behavioural suite every {@link OrchestrationStore} passes: unique run keys, compare-and-set transitions
 * of runs and tasks (also when two connections race), claims, leases, heartbeats, finished tries and logs.
 */
export function runOrchestrationStoreContract(name: string, open: OrchestrationStoreFactory): void {
  describe(`OrchestrationStore contract: ${name}`, () => {
    let store: OrchestrationStore;
    let second: OrchestrationStore;
    let cleanup: () => Promise<void>;
    beforeAll(async () => ({ store, second, cleanup } = await open()));
    afterAll(() => cleanup());

    async function queuedRun(): Promise<string> {
      const { run } = await store.createRun(newRun(), tasks);
      expect(await store.transitionTask({ runId: run.id, taskId: 'ingest', from: ['pending'], to: 'queued', at: at(1), patch: { try: 1 } })).toBe(true);
      return run.id;
    }

    it('creates a run with pending tasks once per run key', async () => {
      const spec = newRun({ runKey: 'cron@2026-03-01T03:00:00.000Z', trigger: 'cron', conf: { a: [1, 'x', null] }, deadlineAt: at(3600) });
      const first = await store.createRun(spec, tasks);
      expect(first.created).toBe(true);
      expect(first.run).toEqual({ ...spec, state: 'queued' });
      const again = await second.createRun({ ...newRun(), runKey: spec.runKey }, tasks.slice(0, 1));
      expect(again).toEqual({ run: first.run, created: false });
      expect(await second.run(spec.id)).toEqual(first.run);
      expect(await second.runByKey('daily', spec.runKey)).toEqual(first.run);
      expect(await store.run('0190c0de-0000-7000-8000-ffffffffffff')).toBeUndefined();
      expect(await store.runByKey('daily', 'manual@nothing')).toBeUndefined();
      expect(await store.runByKey('other', spec.runKey)).toBeUndefined();
      // Another DAG on the same schedule gets a run of its own.
      const other = await second.createRun({ ...newRun({ dagId: 'other' }), runKey: spec.runKey }, tasks);
      expect(other.created).toBe(true);
      expect(await store.runByKey('other', spec.runKey)).toEqual(other.run);
      expect(await second.taskInstances(spec.id)).toEqual(
        tasks.map((t) => ({ runId: spec.id, ...t, try: 0, state: 'pending' })).sort((a, b) => a.taskId.localeCompare(b.taskId)),
      );
    });

    it('creates a run key once when two connections race', async () => {
      const key = 'backfill@2026-02-01';
      const results = await Promise.all([store.createRun(newRun({ runKey: key }), tasks), second.createRun(newRun({ runKey: key }), tasks)]);
      expect(results.filter((r) => r.created)).toHaveLength(1);
      expect(results[0]!.run.id).toBe(results[1]!.run.id);
      expect(await store.taskInstances(results[0]!.run.id)).toHaveLength(2);
    });

    it('lists runs by DAG and state, latest logical time first, with a limit', async () => {
      const dagId = 'listing';
      const a = newRun({ dagId, logicalTime: at(-7200) });
      const b = newRun({ dagId, logicalTime: at(-3600) });
      const c = newRun({ dagId, logicalTime: at(0) });
      for (const r of [a, b, c]) await store.createRun(r, []);
      await store.transitionRun({ id: b.id, from: ['queued'], to: 'running', at: at(1) });
      expect((await second.runs({ dagId })).map((r) => r.id)).toEqual([c.id, b.id, a.id]);
      expect((await second.runs({ dagId, limit: 2 })).map((r) => r.id)).toEqual([c.id, b.id]);
      expect((await second.runs({ dagId, states: ['running'] })).map((r) => r.id)).toEqual([b.id]);
      expect((await second.runs({ dagId, states: ['queued', 'running'] })).map((r) => r.id)).toEqual([c.id, b.id, a.id]);
      expect(await second.runs({ dagId: 'none' })).toEqual([]);
    });

    it('moves a run by compare-and-set, stamping its start and end', async () => {
      const { run } = await store.createRun(newRun(), tasks);
      expect(await store.transitionRun({ id: run.id, from: ['running'], to: 'success', at: at(1) })).toBe(false);
      const raced = await Promise.all([
        store.transitionRun({ id: run.id, from: ['queued'], to: 'running', at: at(2) }),
        second.transitionRun({ id: run.id, from: ['queued'], to: 'running', at: at(2) }),
      ]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      expect(await store.transitionRun({ id: run.id, from: ['running'], to: 'failed', at: at(5), error: 'task train failed' })).toBe(true);
      expect(await second.run(run.id)).toMatchObject({ state: 'failed', startedAt: at(2), endedAt: at(5), error: 'task train failed' });
      expect(await store.transitionRun({ id: run.id, from: ['failed'], to: 'running', at: at(9) })).toBe(true);
      const again = await second.run(run.id);
      expect(again).toMatchObject({ state: 'running', startedAt: at(2) });
      expect(again?.endedAt).toBeUndefined();
      expect(again?.error).toBeUndefined();
      expect(await store.transitionRun({ id: 'missing', from: ['running'], to: 'failed', at: at(9) })).toBe(false);
    });

    it('marks a missed deadline once', async () => {
      const { run } = await store.createRun(newRun({ deadlineAt: at(60) }), []);
      const marks = await Promise.all([store.markDeadlineAlerted(run.id, at(61)), second.markDeadlineAlerted(run.id, at(61))]);
      expect(marks.filter(Boolean)).toHaveLength(1);
      expect(await store.markDeadlineAlerted(run.id, at(62))).toBe(false);
      expect((await second.run(run.id))?.deadlineAlertedAt).toEqual(at(61));
    });

    it('moves a task by compare-and-set on its state and try, applying the patch', async () => {
      const { run } = await store.createRun(newRun(), tasks);
      const base = { runId: run.id, taskId: 'ingest' } as const;
      expect(await store.transitionTask({ ...base, from: ['up_for_retry'], to: 'queued', at: at(1) })).toBe(false);
      expect(await store.transitionTask({ ...base, from: ['pending'], try: 1, to: 'queued', at: at(1) })).toBe(false);
      const raced = await Promise.all([
        store.transitionTask({ ...base, from: ['pending'], try: 0, to: 'queued', at: at(1), patch: { try: 1 } }),
        second.transitionTask({ ...base, from: ['pending'], try: 0, to: 'queued', at: at(1), patch: { try: 1 } }),
      ]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      const queued = (await second.taskInstances(run.id)).find((t) => t.taskId === 'ingest');
      expect(queued).toMatchObject({ state: 'queued', try: 1, queuedAt: at(1) });
      expect(await store.transitionTask({ ...base, from: ['queued'], to: 'pending', at: at(2), patch: { try: 0 } })).toBe(true);
      expect(
        await store.transitionTask({ ...base, from: ['pending'], to: 'up_for_retry', at: at(3), patch: { nextTryAt: at(60), error: 'boom', maxTries: 5 } }),
      ).toBe(true);
      expect((await second.taskInstances(run.id)).find((t) => t.taskId === 'ingest')).toMatchObject({
        state: 'up_for_retry',
        try: 0,
        maxTries: 5,
        nextTryAt: at(60),
        error: 'boom',
      });
      expect(await store.transitionTask({ ...base, from: ['up_for_retry'], to: 'queued', at: at(61), patch: { try: 1, nextTryAt: null, error: null } })).toBe(
        true,
      );
      const requeued = (await second.taskInstances(run.id)).find((t) => t.taskId === 'ingest');
      expect(requeued?.nextTryAt).toBeUndefined();
      expect(requeued?.error).toBeUndefined();
      expect(await store.transitionTask({ ...base, taskId: 'train', from: ['pending'], to: 'upstream_failed', at: at(62) })).toBe(true);
      expect((await second.taskInstances(run.id)).find((t) => t.taskId === 'train')).toMatchObject({ state: 'upstream_failed', endedAt: at(62) });
    });

    it('lets one worker claim a queued try, records it, and keeps the lease for its owner only', async () => {
      const runId = await queuedRun();
      const claim = { runId, taskId: 'ingest', try: 1, at: at(2), leaseUntil: at(32) };
      expect(await store.claimTask({ ...claim, try: 2, worker: 'w1' })).toBe(false);
      const raced = await Promise.all([store.claimTask({ ...claim, worker: 'w1' }), second.claimTask({ ...claim, worker: 'w2' })]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      const winner = raced[0] ? 'w1' : 'w2';
      const loser = raced[0] ? 'w2' : 'w1';
      expect((await second.taskInstances(runId)).find((t) => t.taskId === 'ingest')).toMatchObject({
        state: 'running',
        worker: winner,
        leaseUntil: at(32),
        heartbeatAt: at(2),
        startedAt: at(2),
      });
      expect(await second.tries(runId)).toEqual([{ runId, taskId: 'ingest', try: 1, worker: winner, state: 'running', startedAt: at(2) }]);
      const beat = { runId, taskId: 'ingest', try: 1, at: at(12), leaseUntil: at(42) };
      expect(await store.heartbeat({ ...beat, worker: loser })).toBe(false);
      expect(await store.heartbeat({ ...beat, try: 2, worker: winner })).toBe(false);
      expect(await second.heartbeat({ ...beat, worker: winner })).toBe(true);
      expect(await store.heartbeat({ ...beat, worker: winner })).toBe(true); // the same lease again still counts as held
      expect((await store.taskInstances(runId)).find((t) => t.taskId === 'ingest')).toMatchObject({ leaseUntil: at(42), heartbeatAt: at(12) });
      expect(await store.expiredLeases(at(42))).toEqual([]);
      expect((await store.expiredLeases(at(43))).map((t) => [t.runId, t.taskId, t.try, t.worker])).toContainEqual([runId, 'ingest', 1, winner]);
      const end = { runId, taskId: 'ingest', try: 1, at: at(20) };
      expect(await store.finishTask({ ...end, worker: loser, outcome: { state: 'success', result: {} } })).toBe(false);
      expect(await store.finishTask({ ...end, worker: winner, outcome: { state: 'success', result: { rows: 12, files: ['a.csv'] } } })).toBe(true);
      expect(await second.finishTask({ ...end, worker: winner, outcome: { state: 'success', result: {} } })).toBe(false);
      expect(await store.heartbeat({ ...beat, worker: winner })).toBe(false);
      expect((await second.taskInstances(runId)).find((t) => t.taskId === 'ingest')).toMatchObject({
        state: 'success',
        endedAt: at(20),
        result: { rows: 12, files: ['a.csv'] },
      });
      expect(await second.tries(runId, 'ingest')).toEqual([
        { runId, taskId: 'ingest', try: 1, worker: winner, state: 'success', startedAt: at(2), endedAt: at(20) },
      ]);
      expect((await store.expiredLeases(at(99))).filter((t) => t.runId === runId)).toEqual([]);
    });

    it('records a failed try with its error and whether it may be retried', async () => {
      const runId = await queuedRun();
      await store.claimTask({ runId, taskId: 'ingest', try: 1, worker: 'w1', at: at(2), leaseUntil: at(32) });
      const outcome = { state: 'failed', error: 'warehouse unavailable', retryable: true } as const;
      expect(await second.finishTask({ runId, taskId: 'ingest', try: 1, worker: 'w1', at: at(5), outcome })).toBe(true);
      expect((await store.taskInstances(runId)).find((t) => t.taskId === 'ingest')).toMatchObject({ state: 'failed', error: 'warehouse unavailable' });
      expect(await store.tries(runId, 'ingest')).toEqual([
        { runId, taskId: 'ingest', try: 1, worker: 'w1', state: 'failed', startedAt: at(2), endedAt: at(5), error: 'warehouse unavailable', retryable: true },
      ]);
      const toRetry = { runId, taskId: 'ingest', from: ['failed'], try: 1, to: 'up_for_retry', at: at(6), patch: { nextTryAt: at(36) } } as const;
      expect(await store.transitionTask(toRetry)).toBe(true);
      expect(await store.transitionTask({ ...toRetry, from: ['up_for_retry'], to: 'queued', patch: { try: 2, nextTryAt: null } })).toBe(true);
      expect(await store.claimTask({ runId, taskId: 'ingest', try: 1, worker: 'w2', at: at(37), leaseUntil: at(67) })).toBe(false);
      expect(await store.claimTask({ runId, taskId: 'ingest', try: 2, worker: 'w2', at: at(37), leaseUntil: at(67) })).toBe(true);
      expect((await second.tries(runId, 'ingest')).map((t) => [t.try, t.state, t.worker])).toEqual([
        [1, 'failed', 'w1'],
        [2, 'running', 'w2'],
      ]);
    });

    it('closes the open try when a lapsed lease or a cancel moves a running task on', async () => {
      const runId = await queuedRun();
      await store.claimTask({ runId, taskId: 'ingest', try: 1, worker: 'dead', at: at(2), leaseUntil: at(32) });
      const lapsed = { runId, taskId: 'ingest', from: ['running'], try: 1, to: 'up_for_retry', at: at(40) } as const;
      const raced = await Promise.all([store.transitionTask(lapsed), second.transitionTask(lapsed)]);
      expect(raced.filter(Boolean)).toHaveLength(1);
      const [closed] = await second.tries(runId, 'ingest');
      expect(closed).toMatchObject({ try: 1, state: 'failed', endedAt: at(40), retryable: true });
      expect(closed?.error).toMatch(/lease/);
      expect(await store.finishTask({ runId, taskId: 'ingest', try: 1, worker: 'dead', at: at(41), outcome: { state: 'success', result: {} } })).toBe(false);
      await store.transitionTask({ runId, taskId: 'ingest', from: ['up_for_retry'], to: 'queued', at: at(50), patch: { try: 2 } });
      await store.claimTask({ runId, taskId: 'ingest', try: 2, worker: 'w2', at: at(51), leaseUntil: at(81) });
      expect(await second.transitionTask({ runId, taskId: 'ingest', from: ['pending', 'queued', 'running', 'up_for_retry'], to: 'canceled', at: at(60) })).toBe(
        true,
      );
      expect((await store.tries(runId, 'ingest'))[1]).toMatchObject({ try: 2, state: 'failed', error: 'canceled', retryable: false, endedAt: at(60) });
      expect(await store.heartbeat({ runId, taskId: 'ingest', try: 2, worker: 'w2', at: at(61), leaseUntil: at(91) })).toBe(false);
      expect((await store.taskInstances(runId)).find((t) => t.taskId === 'ingest')).toMatchObject({ state: 'canceled', endedAt: at(60) });
    });

    it('keeps DAG state: paused flag and cron cursor', async () => {
      await store.setPaused('tune-weekly', true, at(1));
      await second.setCronCursor('daily', at(-60));
      await store.setCronCursor('tune-weekly', at(-120));
      await second.setPaused('tune-weekly', false, at(2));
      await store.setPaused('tune-weekly', true, at(3));
      const states = (await second.dagStates()).filter((d) => d.dagId === 'daily' || d.dagId === 'tune-weekly');
      expect(states).toEqual([
        { dagId: 'daily', paused: false, cronCursor: at(-60) },
        { dagId: 'tune-weekly', paused: true, changedAt: at(3), cronCursor: at(-120) },
      ]);
    });

    it('appends log lines once and reads them by try, after a sequence number, with a limit', async () => {
      const { run } = await store.createRun(newRun(), tasks);
      const line = (tryNo: number, seq: number, message: string) =>
        ({ runId: run.id, taskId: 'ingest', try: tryNo, seq, at: at(seq), level: 'info', message }) as const;
      await store.appendLogs([line(1, 1, 'start'), line(1, 2, 'loaded 12 rows'), { ...line(1, 3, 'bad row'), level: 'warn' }]);
      await second.appendLogs([line(1, 3, 'bad row'), line(2, 1, 'start again ✓')]);
      await store.appendLogs([]);
      expect((await second.logs({ runId: run.id, taskId: 'ingest' })).map((l) => [l.try, l.seq])).toEqual([
        [1, 1],
        [1, 2],
        [1, 3],
        [2, 1],
      ]);
      expect(await second.logs({ runId: run.id, taskId: 'ingest', try: 1, afterSeq: 1, limit: 1 })).toEqual([line(1, 2, 'loaded 12 rows')]);
      expect((await second.logs({ runId: run.id, taskId: 'ingest', try: 1, afterSeq: 2 }))[0]).toMatchObject({ level: 'warn', message: 'bad row' });
      expect(await second.logs({ runId: run.id, taskId: 'ingest', try: 2 })).toEqual([line(2, 1, 'start again ✓')]);
      expect(await second.logs({ runId: run.id, taskId: 'train' })).toEqual([]);
    });
  });
}
