import {
  CamelCasePlugin, DummyDriver, Kysely, MysqlAdapter, MysqlIntrospector, MysqlQueryCompiler, SqliteAdapter, SqliteIntrospector, SqliteQueryCompiler,
} from 'kysely';
import type { WarehouseDb } from '../../src/warehouse/index.ts';

/**
 * A Kysely instance that compiles queries with the SQLite or the MySQL/MariaDB dialect (and the warehouse's
 * CamelCasePlugin) and never connects: for asserting the SQL text a repository sends to each backend.
 */
export function compileOnly(dialect: 'sqlite' | 'mysql'): Kysely<WarehouseDb> {
  return new Kysely<WarehouseDb>({
    dialect:
      dialect === 'sqlite'
        ? { createAdapter: () => new SqliteAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new SqliteIntrospector(db), createQueryCompiler: () => new SqliteQueryCompiler() }
        : { createAdapter: () => new MysqlAdapter(), createDriver: () => new DummyDriver(), createIntrospector: (db) => new MysqlIntrospector(db), createQueryCompiler: () => new MysqlQueryCompiler() },
    plugins: [new CamelCasePlugin()],
  });
}
