import { readFileSync } from 'node:fs';
import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runOrchestrationStoreContract } from '../../src/orchestration/orchestration-store.contract.ts';
import { WarehouseOrchestrationStore } from '../../src/orchestration/warehouse-orchestration-store.ts';
import { migrations } from '../../src/warehouse/migrations/index.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';

/** Run history in the warehouse on both databases: the store contract over two connections, and the migration's way back. */
describe.each(warehouseBackends())('warehouse orchestration store on $name', (backend) => {
  describe.skipIf(!backend.available)('', () => {
    runOrchestrationStoreContract(`WarehouseOrchestrationStore (${backend.name})`, async () => {
      const url = await backend.newDatabaseUrl('orch_store');
      // MariaDB: two connections to one database, two processes' views. SQLite: one connection, as one process
      // holds it (better-sqlite3 waits for a lock synchronously, so two connections of one process racing a
      // transaction would wait on each other; separate processes wait on the lock holder, which moves on).
      const first = await openWarehouse({ url });
      await migrateToLatest(first);
      const second = backend.name === 'sqlite' ? first : await openWarehouse({ url });
      return {
        store: new WarehouseOrchestrationStore(first),
        second: new WarehouseOrchestrationStore(second),
        cleanup: async () => {
          await first.close();
          if (second !== first) await second.close();
          await backend.dropDatabase(url);
        },
      };
    });

    describe('migration 0013', () => {
      let url: string;
      let warehouse: Warehouse;
      beforeAll(async () => {
        url = await backend.newDatabaseUrl('orch_migration');
        warehouse = await openWarehouse({ url });
        await migrateToLatest(warehouse);
      });
      afterAll(async () => {
        await warehouse?.close();
        await backend.dropDatabase(url);
      });

      it('drops the orchestration tables on the way down and creates them again on the way up', async () => {
        const migrator = new Migrator({
          db: warehouse.db,
          provider: { getMigrations: async () => migrations },
          migrationTableName: 'schema_migration',
          migrationLockTableName: 'schema_migration_lock',
        });
        const tables = async () =>
          (await warehouse.db.introspection.getTables())
            .map((t) => t.name)
            .filter((n) => n.startsWith('orch_'))
            .sort();
        expect(await tables()).toEqual(['orch_dag_run', 'orch_dag_state', 'orch_task_instance', 'orch_task_log', 'orch_task_try']);
        expect((await migrator.migrateTo('0011-monitoring-rollups')).error).toBeUndefined();
        expect(await tables()).toEqual([]);
        await migrateToLatest(warehouse);
        expect(await tables()).toEqual(['orch_dag_run', 'orch_dag_state', 'orch_task_instance', 'orch_task_log', 'orch_task_try']);
        const { rows } = await sql<{ n: number }>`select count(*) as n from orch_dag_run`.execute(warehouse.db);
        expect(Number(rows[0]?.n)).toBe(0);
      });

      it("runs the README's example queries of run history", async () => {
        const store = new WarehouseOrchestrationStore(warehouse);
        const at = new Date('2026-03-02T03:00:00Z');
        const { run } = await store.createRun(
          {
            id: '0190c0de-0000-7000-8000-00000000abcd',
            dagId: 'daily',
            runKey: 'cron@2026-03-02T03:00:00.000Z',
            trigger: 'cron',
            logicalTime: at,
            conf: {},
            createdAt: at,
          },
          [{ taskId: 'ingest', job: 'INGEST', pool: 'io', params: {}, maxTries: 3 }],
        );
        await store.transitionTask({ runId: run.id, taskId: 'ingest', from: ['pending'], to: 'queued', at, patch: { try: 1 } });
        await store.claimTask({ runId: run.id, taskId: 'ingest', try: 1, worker: 'w', at, leaseUntil: at });
        const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
        const queries = [...readme.matchAll(/```sql\n([\s\S]*?)```/g)]
          .flatMap((m) => m[1]!.split(';'))
          .map((q) => q.trim())
          .filter((q) => q.includes('orch_'));
        expect(queries).toHaveLength(2);
        const answers = await Promise.all(queries.map((q) => sql.raw<Record<string, unknown>>(q).execute(warehouse.db)));
        expect(answers.map((a) => a.rows.length)).toEqual([1, 1]);
        expect(answers[1]?.rows[0]).toMatchObject({ taskId: 'ingest', tryNumber: 1, worker: 'w', state: 'running' }); // CamelCasePlugin renames the columns;
      });
    });
  });
});
