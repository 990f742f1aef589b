import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedList as list } from '../../../test/support/served-list.ts';
import { warehouseBackends } from '../../../test/support/backends.ts';
import { freePort } from '../../../test/support/free-port.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../../warehouse/index.ts';
import { PendingBatches } from './pending-batches.ts';
import { WorkerCommitter } from './worker-committer.ts';

describe.each(warehouseBackends())('WorkerCommitter on $name', (backend) => {
  describe.skipIf(!backend.available)('commits in a worker thread', () => {
    let url: string;
    let warehouse: Warehouse;
    let dir: string;
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('commit_worker');
      warehouse = await openWarehouse({ url });
      await migrateToLatest(warehouse);
      dir = mkdtempSync(path.join(tmpdir(), 'pickwise-commit-'));
    });
    afterAll(async () => {
      await warehouse.close();
      await backend.dropDatabase(url);
      rmSync(dir, { recursive: true, force: true });
    });

    const count = async (table: 'recList' | 'recImpression') =>
      Number(
        (
          await warehouse.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );

    it('commits the batches waiting on disk over its own connection, in groups, and deletes them', async () => {
      const batches = new PendingBatches(dir);
      await batches.open();
      await batches.write(Array.from({ length: 30 }, (_, i) => list(`a${i}`, 10)));
      await batches.write(Array.from({ length: 20 }, (_, i) => list(`b${i}`, 5)));
      const committer = new WorkerCommitter({ connection: { url }, dir, groupLists: 25 });
      try {
        expect(await committer.commit()).toEqual({ written: 50, remaining: 0 });
        expect(await count('recList')).toBe(50);
        expect(await count('recImpression')).toBe(30 * 10 + 20 * 5);
        expect(readdirSync(dir)).toEqual([]);
        // A batch committed already (a process died before deleting it) is committed again harmlessly.
        await batches.write([list('a0', 10), list('c0', 3)]);
        expect(await committer.commit()).toEqual({ written: 2, remaining: 0 });
        expect(await count('recList')).toBe(51);
      } finally {
        await committer.close();
      }
    });

    it('reports a database it cannot reach without losing the batches, and commits them once it can', async () => {
      const batches = new PendingBatches(dir);
      await batches.open();
      await batches.write([list('d0', 2)]);
      const away = new WorkerCommitter({
        connection: { url: `mysql://pickwise@127.0.0.1:${await freePort()}/nowhere`, connectTimeoutSeconds: 2 },
        dir,
        groupLists: 25,
      });
      try {
        const report = await away.commit();
        expect(report).toMatchObject({ written: 0, remaining: 1 });
        expect(report.error?.message).toMatch(/cannot reach the database .*connection refused/);
      } finally {
        await away.close();
      }
      expect(readdirSync(dir).filter((n) => n.endsWith('.jsonl'))).toHaveLength(1);
      const back = new WorkerCommitter({ connection: { url }, dir, groupLists: 25 });
      try {
        expect(await back.commit()).toEqual({ written: 1, remaining: 0 });
      } finally {
        await back.close();
      }
    });
  });
});
