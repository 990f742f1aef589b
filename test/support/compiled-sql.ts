/**
 * Compiled-SQL assertions for warehouse repos: a Kysely<WarehouseDb> per dialect, configured like the real one
 * (CamelCasePlugin), whose driver never reaches a database (a fake: it stands for the database, not for Kysely).
 * Every statement a repo runs through it is compiled by that dialect's own query compiler and recorded, with
 * `begin`/`commit`/`rollback` marking transactions; it is answered with no rows. This pins the SQL text each
 * backend receives; the same repos run against real SQLite and MariaDB in the integration suites.
 *
 * ```ts
 * describe.each(SQL_DIALECTS)('registry SQL for %s', (dialect) => {
 *   it('lists names', async () => {
 *     const { db, statements } = recordingDb(dialect);
 *     await new RegistryRepo({ db, dialect: compileOnlyWarehouseDialect() }).names();
 *     expect(sqlOf(statements)).toEqual([quotedFor(dialect, 'select distinct "model_name" from "registry_version" order by "model_name"')]);
 *   });
 * });
 * ```
 */
import {
  CamelCasePlugin,
  CompiledQuery,
  DummyDriver,
  Kysely,
  MysqlAdapter,
  MysqlIntrospector,
  MysqlQueryCompiler,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type QueryResult,
} from 'kysely';
import { WarehouseDialect, type MergeRule, type UpsertSpec, type WarehouseDb } from '../../src/warehouse/index.ts';

/** The SQL dialects of the warehouse backends: SQLite, and MySQL's for MariaDB. */
export const SQL_DIALECTS = ['sqlite', 'mysql'] as const;
export type SqlDialect = (typeof SQL_DIALECTS)[number];

export interface RecordingDb {
  readonly db: Kysely<WarehouseDb>;
  /** Every statement run so far, compiled, in order. */
  readonly statements: CompiledQuery[];
}

export function recordingDb(dialect: SqlDialect): RecordingDb {
  const statements: CompiledQuery[] = [];
  const driver = new RecordingDriver(statements);
  const kyselyDialect: Dialect =
    dialect === 'sqlite'
      ? {
          createAdapter: () => new SqliteAdapter(),
          createDriver: () => driver,
          createIntrospector: (db) => new SqliteIntrospector(db),
          createQueryCompiler: () => new SqliteQueryCompiler(),
        }
      : {
          createAdapter: () => new MysqlAdapter(),
          createDriver: () => driver,
          createIntrospector: (db) => new MysqlIntrospector(db),
          createQueryCompiler: () => new MysqlQueryCompiler(),
        };
  const db = new Kysely<WarehouseDb>({
    dialect: kyselyDialect,
    plugins: [new CamelCasePlugin()],
    log: (event) => void (event.level === 'query' && statements.push(event.query)),
  });
  return { db, statements };
}

/**
 * Answers every statement with no rows (an insert: as having inserted every row it lists, as a database answers a
 * first write), and records transaction boundaries among the statements.
 */
class RecordingDriver extends DummyDriver {
  readonly #statements: CompiledQuery[];
  constructor(statements: CompiledQuery[]) {
    super();
    this.#statements = statements;
  }
  override async acquireConnection(): Promise<DatabaseConnection> {
    return {
      executeQuery: async <R>(query: CompiledQuery): Promise<QueryResult<R>> =>
        /^\s*insert\b/i.test(query.sql) ? { rows: [], numAffectedRows: BigInt((query.sql.match(/\)\s*,\s*\(/g)?.length ?? 0) + 1) } : { rows: [] },
      // eslint-disable-next-line require-yield
      streamQuery: async function* () {
        return;
      },
    };
  }
  override async beginTransaction(): Promise<void> {
    this.#statements.push(CompiledQuery.raw('begin'));
  }
  override async commitTransaction(): Promise<void> {
    this.#statements.push(CompiledQuery.raw('commit'));
  }
  override async rollbackTransaction(): Promise<void> {
    this.#statements.push(CompiledQuery.raw('rollback'));
  }
}

/** The SQL text of each recorded statement. */
export function sqlOf(statements: readonly CompiledQuery[]): string[] {
  return statements.map((s) => s.sql);
}

/** The bound parameters of each recorded statement. */
export function parametersOf(statements: readonly CompiledQuery[]): unknown[][] {
  return statements.map((s) => [...s.parameters]);
}

/**
 * `text`, written with SQLite's double-quoted identifiers, as `dialect` quotes them (MySQL: backticks). For
 * statements that differ between the backends only in quoting: any other difference fails the assertion.
 */
export function quotedFor(dialect: SqlDialect, text: string): string {
  return dialect === 'mysql' ? text.replaceAll('"', '`') : text;
}

/**
 * A WarehouseDialect for repos under {@link recordingDb}: the shared race-handling helpers (findOrCreate,
 * insertNextNumber) as every backend runs them, and bulk inserts that keep existing rows as `sql` writes them
 * (run through the recording executor); nothing else backend-specific is reachable without a database.
 * `insertReturning` picks the statements of a backend with `insert … returning` (SQLite, MariaDB) or without (MySQL).
 */
export function compileOnlyWarehouseDialect(o: { sql?: SqlDialect; insertReturning?: boolean } = {}): WarehouseDialect {
  return new CompileOnlyDialect(o.sql ?? 'sqlite', o.insertReturning ?? false);
}

class CompileOnlyDialect extends WarehouseDialect {
  readonly name = 'sqlite' as const;
  readonly #sql: SqlDialect;
  readonly #insertReturning: boolean;
  constructor(sql: SqlDialect, insertReturning: boolean) {
    super();
    this.#sql = sql;
    this.#insertReturning = insertReturning;
  }
  override get insertReturning(): boolean {
    return this.#insertReturning;
  }
  quote(identifier: string): string {
    return quotedFor(this.#sql, `"${identifier}"`);
  }
  isUniqueViolation(): boolean {
    return false;
  }
  protected onConflictClause(_spec: UpsertSpec): string {
    throw new Error('compile-only dialect: no bulk upserts');
  }
  protected insertIgnoreVerb(): string {
    return this.#sql === 'mysql' ? 'insert ignore' : 'insert or ignore';
  }
  /** As SQLite and MariaDB write it. */
  protected mergingClause(keyColumns: readonly string[], merges: readonly (readonly [string, MergeRule])[]): string {
    const q = (c: string) => this.quote(c);
    const mysql = this.#sql === 'mysql';
    const incoming = (c: string) => (mysql ? `values(${q(c)})` : `excluded.${q(c)}`);
    const sets = merges
      .map(([c, rule]) => `${q(c)} = ${rule === 'add' ? `${q(c)} + ${incoming(c)}` : `${mysql ? 'greatest' : 'max'}(${q(c)}, ${incoming(c)})`}`)
      .join(', ');
    return mysql ? `on duplicate key update ${sets}` : `on conflict (${keyColumns.map(q).join(', ')}) do update set ${sets}`;
  }
  async tryLock(): Promise<never> {
    throw new Error('compile-only dialect: no locks');
  }
}
