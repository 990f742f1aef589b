import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WarehouseOrchestrationStore } from '../../src/orchestration/warehouse-orchestration-store.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { dag, harness } from '../support/scheduler-harness.ts';

const diamond = dag({
  id: 'diamond',
  schedule: '0 3 * * *',
  timezone: 'Europe/Berlin',
  tasks: [
    { id: 'start', job: 'NOOP' },
    { id: 'left', job: 'NOOP', deps: ['start'], retry: { retries: 1, delay: 10, jitter: 0 } },
    { id: 'right', job: 'NOOP', deps: ['start'] },
    { id: 'join', job: 'NOOP', deps: ['left', 'right'] },
  ],
});

/** The scheduler over run history in the warehouse: a cron run of a diamond with a retry, two schedulers ticking. */
describe.each(warehouseBackends())('scheduler over the warehouse store on $name', (backend) => {
  describe.skipIf(!backend.available)('', () => {
    let url: string;
    let first: Warehouse;
    let second: Warehouse;
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('orch_scheduler');
      first = await openWarehouse({ url });
      await migrateToLatest(first);
      // SQLite: one connection per process (see orchestration-store.test.ts); MariaDB: a second one.
      second = backend.name === 'sqlite' ? first : await openWarehouse({ url });
    });
    afterAll(async () => {
      await first?.close();
      if (second !== first) await second?.close();
      await backend.dropDatabase(url);
    });

    it('runs a cron run of a diamond to success through a retry, each try once, with two schedulers', async () => {
      const h = harness({ dags: [diamond], store: new WarehouseOrchestrationStore(first), start: new Date('2026-03-02T01:59:30Z') });
      const other = h.second(undefined, new WarehouseOrchestrationStore(second));
      const both = () => Promise.all([h.scheduler.tick(), other.tick()]);
      await both(); // first sight: the schedule starts now
      h.advance(60);
      const [a, b] = await both();
      expect([...a.runsCreated, ...b.runsCreated]).toEqual(['cron@2026-03-02T02:00:00.000Z']);
      await h.finish(h.submitted('start'), { rows: 1 });
      await both();
      await h.finish(h.submitted('left'), { error: 'deadlock, try again', retryable: true });
      await h.finish(h.submitted('right'), { side: 'r' });
      await both();
      h.advance(10);
      await both();
      await h.finish(h.submitted('left'), { side: 'l' });
      await both();
      expect(h.submitted('join').upstream).toEqual({ left: { side: 'l' }, right: { side: 'r' } });
      await h.finish(h.submitted('join'));
      await both();
      const [run] = await h.store.runs({ dagId: 'diamond' });
      expect(run).toMatchObject({ state: 'success', trigger: 'cron', logicalTime: new Date('2026-03-02T02:00:00Z') });
      const attempts = h.executor.submits.map((s) => `${s.taskId}#${s.try}`);
      expect(new Set(attempts)).toEqual(new Set(['start#1', 'left#1', 'right#1', 'left#2', 'join#1']));
      expect((await h.store.tries(run!.id)).map((t) => [t.taskId, t.try, t.state])).toEqual([
        ['join', 1, 'success'],
        ['left', 1, 'failed'],
        ['left', 2, 'success'],
        ['right', 1, 'success'],
        ['start', 1, 'success'],
      ]);
    });
  });
});
