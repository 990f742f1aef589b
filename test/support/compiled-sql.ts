import { CamelCasePlugin, DummyDriver, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler, type CompiledQuery } from 'kysely';
import type { WarehouseDb } from '../../src/warehouse/index.ts';

/**
 * A warehouse query layer that compiles but executes nothing (every query returns no rows), under the SQLite or
 * the MySQL/MariaDB dialect, recording each compiled statement: for asserting the SQL a repo sends to each
 * backend, beside running the same repo on the real ones.
 */
export function recordingWarehouseDb(dialect: 'sqlite' | 'mysql'): { db: Kysely<WarehouseDb>; statements: CompiledQuery[] } {
  const statements: CompiledQuery[] = [];
  const sqlite = dialect === 'sqlite';
  const db = new Kysely<WarehouseDb>({
    dialect: {
      createAdapter: () => (sqlite ? new SqliteAdapter() : new MysqlAdapter()),
      createDriver: () => new DummyDriver(),
      createIntrospector: (k) => (sqlite ? new SqliteIntrospector(k) : new MysqlIntrospector(k)),
      createQueryCompiler: () => (sqlite ? new SqliteQueryCompiler() : new MysqlQueryCompiler()),
    },
    plugins: [new CamelCasePlugin()],
    log: (event) => void statements.push(event.query),
  });
  return { db, statements };
}
