import { describe, expect, it } from 'vitest';
import { dag, harness } from '../../test/support/scheduler-harness.ts';

const noJitter = { retries: 2, delay: 30, factor: 2, maxDelay: 600, jitter: 0 };
const linear = dag({
  id: 'linear',
  tasks: [
    { id: 'a', job: 'NOOP', retry: noJitter },
    { id: 'b', job: 'NOOP', deps: ['a'], retry: noJitter },
    { id: 'c', job: 'NOOP', deps: ['b'], retry: noJitter },
  ],
});
const diamond = dag({
  id: 'diamond',
  tasks: [
    { id: 'join', job: 'NOOP', deps: ['left', 'right'] },
    { id: 'left', job: 'NOOP', deps: ['start'], retry: { retries: 0 } },
    { id: 'right', job: 'NOOP', deps: ['start'] },
    { id: 'start', job: 'NOOP' },
  ],
});

describe('Scheduler: tasks of a run', () => {
  it('runs a linear DAG in order, handing each task its upstream results, and finishes the run', async () => {
    const h = harness({ dags: [linear] });
    const { run } = await h.scheduler.trigger('linear', { conf: { note: 'by hand' } });
    expect((await h.scheduler.tick()).triesSubmitted).toBe(1);
    expect(h.executor.ids()).toEqual(['a#1']);
    await h.scheduler.tick();
    expect(h.executor.ids()).toEqual(['a#1']); // nothing new until a ends
    await h.finish(h.submitted('a'), { rows: 3 });
    await h.scheduler.tick();
    expect(h.submitted('b')).toMatchObject({ try: 1, upstream: { a: { rows: 3 } }, dagId: 'linear', runKey: run.runKey, timeout: 3600 });
    await h.finish(h.submitted('b'));
    await h.scheduler.tick();
    await h.finish(h.submitted('c'));
    const report = await h.scheduler.tick();
    expect(report.runsFinished).toBe(1);
    expect(await h.store.run(run.id)).toMatchObject({ state: 'success', endedAt: h.now() });
    expect(h.executor.ids()).toEqual(['a#1', 'b#1', 'c#1']);
  });

  it('runs both branches of a diamond at once and the join after both', async () => {
    const h = harness({ dags: [diamond] });
    const { run } = await h.scheduler.trigger('diamond');
    await h.scheduler.tick();
    await h.finish(h.submitted('start'), { v: 1 });
    await h.scheduler.tick();
    expect(h.executor.ids()).toEqual(['start#1', 'left#1', 'right#1']);
    await h.finish(h.submitted('left'), { side: 'l' });
    await h.scheduler.tick();
    expect(h.executor.ids()).toHaveLength(3);
    await h.finish(h.submitted('right'), { side: 'r' });
    await h.scheduler.tick();
    expect(h.submitted('join').upstream).toEqual({ left: { side: 'l' }, right: { side: 'r' } });
    await h.finish(h.submitted('join'));
    await h.scheduler.tick();
    expect((await h.store.run(run.id))?.state).toBe('success');
  });

  it('retries a retryable failure with exponential backoff, then fails the run and its downstream for good', async () => {
    const h = harness({ dags: [linear] });
    const { run } = await h.scheduler.trigger('linear');
    await h.scheduler.tick();
    await h.finish(h.submitted('a'), { error: 'warehouse unavailable', retryable: true });
    expect((await h.scheduler.tick()).retriesScheduled).toBe(1);
    const waiting = (await h.store.taskInstances(run.id)).find((t) => t.taskId === 'a');
    expect(waiting).toMatchObject({ state: 'up_for_retry', try: 1, nextTryAt: new Date(h.now().getTime() + 30_000) });
    h.advance(29);
    await h.scheduler.tick();
    expect(h.executor.ids()).toEqual(['a#1']);
    h.advance(1);
    await h.scheduler.tick();
    expect(h.executor.ids()).toEqual(['a#1', 'a#2']);
    await h.finish(h.submitted('a'), { error: 'still down', retryable: true });
    await h.scheduler.tick();
    expect((await h.store.taskInstances(run.id)).find((t) => t.taskId === 'a')?.nextTryAt).toEqual(new Date(h.now().getTime() + 60_000));
    h.advance(60);
    await h.scheduler.tick();
    await h.finish(h.submitted('a'), { error: 'down for good', retryable: true });
    await h.scheduler.tick();
    expect(h.executor.ids()).toEqual(['a#1', 'a#2', 'a#3']);
    expect((await h.store.taskInstances(run.id)).map((t) => [t.taskId, t.state])).toEqual([
      ['a', 'failed'],
      ['b', 'upstream_failed'],
      ['c', 'upstream_failed'],
    ]);
    expect(await h.store.run(run.id)).toMatchObject({ state: 'failed', error: 'task a failed' });
    expect(h.alerts.map((a) => [a.kind, a.runId])).toEqual([['run_failed', run.id]]);
    expect((await h.store.tries(run.id, 'a')).map((t) => [t.try, t.state, t.error])).toEqual([
      [1, 'failed', 'warehouse unavailable'],
      [2, 'failed', 'still down'],
      [3, 'failed', 'down for good'],
    ]);
  });

  it('fails at once on an error that is not retryable', async () => {
    const h = harness({ dags: [linear] });
    const { run } = await h.scheduler.trigger('linear');
    await h.scheduler.tick();
    await h.finish(h.submitted('a'), { error: 'ValidationError: bad params', retryable: false });
    const report = await h.scheduler.tick();
    expect([report.retriesScheduled, report.runsFinished]).toEqual([0, 1]);
    expect((await h.store.run(run.id))?.state).toBe('failed');
    expect(h.executor.ids()).toEqual(['a#1']);
  });

  it('takes back the try of a worker that stopped heartbeating and runs it again after the backoff', async () => {
    const h = harness({ dags: [linear] });
    const { run } = await h.scheduler.trigger('linear');
    await h.scheduler.tick();
    const a = h.submitted('a');
    await h.store.claimTask({
      runId: run.id,
      taskId: 'a',
      try: 1,
      worker: 'dead-host:9:abcdef',
      at: h.now(),
      leaseUntil: new Date(h.now().getTime() + 30_000),
    });
    h.advance(30);
    expect((await h.scheduler.tick()).leasesExpired).toBe(0);
    h.advance(1);
    const report = await h.scheduler.tick();
    expect([report.leasesExpired, report.retriesScheduled]).toEqual([1, 1]);
    expect((await h.store.tries(run.id, 'a'))[0]).toMatchObject({ try: 1, state: 'failed', retryable: true, worker: 'dead-host:9:abcdef' });
    expect(
      await h.store.finishTask({ runId: run.id, taskId: 'a', try: 1, worker: 'dead-host:9:abcdef', at: h.now(), outcome: { state: 'success', result: {} } }),
    ).toBe(false);
    h.advance(30);
    await h.scheduler.tick();
    expect(h.executor.ids()).toEqual([`a#${a.try}`, 'a#2']);
  });

  it('cancels a run, and a failed run retried redoes only its failed tasks and their downstream', async () => {
    const h = harness({ dags: [diamond] });
    const { run } = await h.scheduler.trigger('diamond');
    await h.scheduler.tick();
    await h.finish(h.submitted('start'));
    await h.scheduler.tick();
    await h.finish(h.submitted('left'), { error: 'model fit diverged', retryable: false });
    await h.finish(h.submitted('right'));
    await h.scheduler.tick();
    expect((await h.store.run(run.id))?.state).toBe('failed');
    await expect(h.scheduler.cancel(run.id)).rejects.toThrow(/only queued or running/);
    expect((await h.scheduler.retry(run.id)).state).toBe('queued');
    await expect(h.scheduler.retry(run.id)).rejects.toThrow(/only failed or canceled/);
    await h.scheduler.tick();
    expect(h.executor.ids()).toEqual(['start#1', 'left#1', 'right#1', 'left#2']);
    await h.finish(h.submitted('left'));
    await h.scheduler.tick();
    await h.finish(h.submitted('join'));
    await h.scheduler.tick();
    expect((await h.store.run(run.id))?.state).toBe('success');
    expect(h.executor.ids()).toEqual(['start#1', 'left#1', 'right#1', 'left#2', 'join#1']);

    const second = await h.scheduler.trigger('diamond');
    await h.scheduler.tick();
    const start = h.submitted('start', second.run.id);
    await h.store.claimTask({ runId: second.run.id, taskId: 'start', try: 1, worker: 'w', at: h.now(), leaseUntil: new Date(h.now().getTime() + 30_000) });
    expect((await h.scheduler.cancel(second.run.id)).state).toBe('canceled');
    expect(new Set((await h.store.taskInstances(second.run.id)).map((t) => t.state))).toEqual(new Set(['canceled']));
    expect(await h.store.heartbeat({ runId: second.run.id, taskId: 'start', try: start.try, worker: 'w', at: h.now(), leaseUntil: h.now() })).toBe(false);
    await h.scheduler.tick();
    expect(h.executor.submits.filter((s) => s.runId === second.run.id)).toHaveLength(1);
  });

  it('puts a task back when the executor refuses it and hands it over on the next tick', async () => {
    const h = harness({ dags: [linear] });
    const { run } = await h.scheduler.trigger('linear');
    h.executor.failNext = 1;
    const report = await h.scheduler.tick();
    expect(report.errors).toEqual([expect.stringMatching(/submitting .*\.a\.1 failed: queue unavailable/)]);
    expect((await h.store.taskInstances(run.id))[0]).toMatchObject({ state: 'pending', try: 0 });
    await h.scheduler.tick();
    expect(h.executor.ids()).toEqual(['a#1']);
  });

  it('hands queued tries over again after a restart or when an executor kept them too long', async () => {
    const h = harness({ dags: [linear], requeueSeconds: 60 });
    await h.scheduler.trigger('linear');
    await h.scheduler.tick();
    await h.scheduler.tick();
    expect(h.executor.ids()).toEqual(['a#1']);
    await h.second().tick(); // a restarted scheduler: the executor may have lost what was queued
    expect(h.executor.ids()).toEqual(['a#1', 'a#1']);
    h.advance(60);
    await h.scheduler.tick();
    expect(h.executor.ids()).toEqual(['a#1', 'a#1', 'a#1']);
  });

  it('ends a run whose DAG lost a task since the run was created', async () => {
    const h = harness({ dags: [linear] });
    const { run } = await h.scheduler.trigger('linear');
    const shorter = dag({ id: 'linear', tasks: [{ id: 'a', job: 'NOOP' }] });
    const changed = h.second([shorter]);
    await changed.tick();
    await h.finish(h.submitted('a'));
    await changed.tick();
    expect((await h.store.taskInstances(run.id)).map((t) => [t.taskId, t.state])).toEqual([
      ['a', 'success'],
      ['b', 'canceled'],
      ['c', 'canceled'],
    ]);
    expect(await h.store.run(run.id)).toMatchObject({ state: 'failed', error: 'tasks canceled: b, c' });
  });

  it('never doubles a try when two schedulers tick at once', async () => {
    const h = harness({ dags: [diamond] });
    const other = h.second();
    await other.tick(); // past its first tick
    await h.scheduler.tick();
    const { run } = await h.scheduler.trigger('diamond');
    await Promise.all([h.scheduler.tick(), other.tick()]);
    await h.finish(h.submitted('start'));
    await Promise.all([h.scheduler.tick(), other.tick()]);
    expect(new Set(h.executor.ids())).toEqual(new Set(['start#1', 'left#1', 'right#1']));
    expect(h.executor.ids()).toHaveLength(3);
    const tasks = await h.store.taskInstances(run.id);
    expect(tasks.map((t) => [t.taskId, t.try])).toEqual([
      ['join', 0],
      ['left', 1],
      ['right', 1],
      ['start', 1],
    ]);
  });
});
