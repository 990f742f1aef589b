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
    });
  });
});
