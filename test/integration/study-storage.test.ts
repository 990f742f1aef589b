import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WarehouseStudyStorage } from '../../src/registry/index.ts';
import { runStudyStorageContract } from '../../src/tuning/study-storage.contract.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';

const spec = { name: 'stale', direction: 'maximize' as const, sampler: 'tpe', pruner: 'median', seed: 7 };

/** The warehouse study storage on both databases: the StudyStorage contract, over two connections, and heartbeats. */
describe.each(warehouseBackends())('warehouse study storage on $name', (backend) => {
  describe.skipIf(!backend.available)('contract', () => {
    let url: string;
    // Two connections to one database: two processes' views.
    let first: Warehouse;
    let second: Warehouse;
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('tuning');
      first = await openWarehouse({ url });
      await migrateToLatest(first);
      second = await openWarehouse({ url });
    });
    afterAll(async () => {
      await first?.close();
      await second?.close();
      await backend.dropDatabase(url);
    });

    it('marks failed a running trial whose process stopped beating, and leaves a live one running', async () => {
      let now = new Date('2026-01-01T00:00:00Z');
      const clocked = new WarehouseStudyStorage(first, () => now);
      const { id } = await clocked.openStudy(spec);
      const dead = await clocked.createTrial(id, { x: 1 });
      const alive = await clocked.createTrial(id, { x: 2 });
      now = new Date('2026-01-01T00:04:00Z');
      await clocked.heartbeat(id, alive);
      now = new Date('2026-01-01T00:06:00Z');
      expect(await clocked.failStaleTrials(id, 5 * 60_000)).toBe(1);
      expect((await clocked.trials(id)).map((t) => [t.number, t.state])).toEqual([
        [dead, 'failed'],
        [alive, 'running'],
      ]);
    });

    runStudyStorageContract(`warehouse on ${backend.name}`, async () => ({
      storage: new WarehouseStudyStorage(first),
      second: new WarehouseStudyStorage(second),
    }));
  });
});
