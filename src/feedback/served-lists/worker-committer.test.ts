import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servedList as list } from '../../../test/support/served-list.ts';
import { warehouseBackends } from '../../../test/support/backends.ts';
import { freePort } from '../../../test/support/free-port.ts';
import { sql } from 'kysely';
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

    it("writes a service's shown hour once per hour, not once per commit: the worker remembers what it committed", async () => {
      // Counts every row agg_shown_service receives or changes: what each commit costs the rollup.
      await sql`create table shown_writes (n integer not null)`.execute(warehouse.db);
      await sql`insert into shown_writes values (0)`.execute(warehouse.db);
      for (const event of ['insert', 'update'])
        await sql
          .raw(
            backend.name === 'sqlite'
              ? `create trigger count_shown_${event} after ${event} on agg_shown_service begin update shown_writes set n = n + 1; end`
              : `create trigger count_shown_${event} after ${event} on agg_shown_service for each row update shown_writes set n = n + 1`,
          )
          .execute(warehouse.db);
      const writes = async () => Number((await sql<{ n: number }>`select n from shown_writes`.execute(warehouse.db)).rows[0]!.n);
      const batches = new PendingBatches(dir);
      await batches.open();
      const committer = new WorkerCommitter({ connection: { url }, dir, groupLists: 25 });
      try {
        const hour = { createdAt: '2026-03-05 08:10:00.000', modelName: 'cache' };
        await batches.write([list('h0', 4, hour), list('h1', 2, hour)]);
        expect(await committer.commit()).toEqual({ written: 2, remaining: 0 });
        const first = await writes();
        expect(first).toBeGreaterThanOrEqual(4); // S0 … S3, each written once
        // Later commits in the same hour showing the same services write none of them again; a new service is written.
        await batches.write([list('h2', 4, hour)]);
        expect(await committer.commit()).toEqual({ written: 1, remaining: 0 });
        await batches.write([list('h3', 5, hour)]);
        expect(await committer.commit()).toEqual({ written: 1, remaining: 0 });
        expect(await writes()).toBe(first + 1);
        // The next hour moves each service shown again.
        await batches.write([list('h4', 2, { ...hour, createdAt: '2026-03-05 09:00:00.000' })]);
        expect(await committer.commit()).toEqual({ written: 1, remaining: 0 });
        expect(await writes()).toBe(first + 3);
        const rows = await warehouse.db.selectFrom('aggShownService').selectAll().where('modelName', '=', 'cache').orderBy('serviceId').execute();
        expect(rows.map((r) => [r.serviceId, Number(r.lastHour)])).toEqual([
          ['S0', 2026030509],
          ['S1', 2026030509],
          ['S2', 2026030508],
          ['S3', 2026030508],
          ['S4', 2026030508],
        ]);
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
