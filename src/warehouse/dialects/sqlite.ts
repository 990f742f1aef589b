import { closeSync, mkdirSync, openSync, readSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { sql, SqliteDialect, type CompiledQuery, type Kysely, type SqliteDatabase, type SqliteStatement } from 'kysely';
import { BackendUnavailableError } from '../../shared/index.ts';
import type { WarehouseDb } from '../schema.ts';
import { acquireLockFile } from './lock-file.ts';
import { WarehouseDialect, type LockHolder, type MergeRule, type RunLock, type UpsertSpec } from './warehouse-dialect.ts';

export class SqliteWarehouseDialect extends WarehouseDialect {
  readonly name = 'sqlite' as const;
  override readonly maxParameters = 32_000;
  // About 500 rows a statement: as fast as larger ones, and each cached statement stays small in memory.
  override readonly statementParameters = 4_608;
  // better-sqlite3 bundles SQLite 3.4x: `returning` since 3.35.
  override get insertReturning(): boolean {
    return true;
  }
  readonly #database: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #file: string;
  /** The file opened (device and inode), to notice when the path names another file or none. */
  readonly #opened: Pick<Stats, 'dev' | 'ino'> | undefined;

  constructor(database: Database.Database, file: string) {
    super();
    this.#database = database;
    this.#file = file;
    this.#opened = file === ':memory:' ? undefined : statSync(file);
  }

  /**
   * The path still names the file that is open, and a fresh read-only connection to it reads the same
   * schema version as this one (the open handle keeps answering from its cache and the WAL after the file
   * is truncated or overwritten; a new connection reads what is on disk).
   */
  override async checkStorage(): Promise<void> {
    if (this.#opened === undefined) return;
    const gone = (what: string, cause?: unknown): BackendUnavailableError =>
      new BackendUnavailableError(`the SQLite database file ${what}; restore it, or restart to open the file the URL names now`, { cause });
    let now: Stats;
    try {
      now = statSync(this.#file);
    } catch (error) {
      throw gone('was moved or deleted since it was opened', error);
    }
    if (now.ino !== this.#opened.ino || now.dev !== this.#opened.dev) throw gone('was replaced by another file since it was opened');
    let onDisk: unknown;
    let probe: Database.Database | undefined;
    try {
      if (!hasSqliteHeader(this.#file)) throw gone('no longer starts with the SQLite header (truncated or overwritten)');
      probe = new Database(this.#file, { readonly: true, fileMustExist: true });
      onDisk = probe.pragma('schema_version', { simple: true });
    } catch (error) {
      if (error instanceof BackendUnavailableError) throw error;
      throw gone(`cannot be read (${(error as Error).message})`, error);
    } finally {
      probe?.close();
    }
    const open = this.#database.pragma('schema_version', { simple: true });
    if (onDisk !== open)
      throw gone(`on disk is not the database that is open (schema version ${String(onDisk)}, open ${String(open)}: truncated or overwritten)`);
  }

  /** A lock file beside the database (`<db>.<name>.lock`); an in-memory database has one process by definition. */
  async tryLock(_db: Kysely<WarehouseDb>, name: string): Promise<RunLock | LockHolder> {
    if (this.#file === ':memory:') return { release: async () => {} };
    const result = await acquireLockFile(`${path.resolve(this.#file)}.${name}.lock`);
    return 'release' in result ? result : { description: `process ${result.pid} on ${result.host} since ${result.since}` };
  }

  /**
   * better-sqlite3 is synchronous and has one connection, so a statement run on it directly is inside the
   * open Kysely transaction. Caching the prepared multi-row statement saves a parse per batch (about a third
   * of the load time at a million rows).
   */
  override async execBulk(_db: Kysely<WarehouseDb>, sqlText: string, params: readonly unknown[]): Promise<number> {
    let statement = this.#statements.get(sqlText);
    if (statement === undefined) {
      if (this.#statements.size >= 32) this.#statements.clear();
      statement = this.#database.prepare(sqlText);
      this.#statements.set(sqlText, statement);
    }
    return statement.run(params as unknown[]).changes;
  }

  /** Reads on the one connection (inside a transaction when one is open), rows as arrays, without a promise per row. */
  override async scanRows(_db: Kysely<WarehouseDb>, query: CompiledQuery, onRow: (row: readonly unknown[]) => void): Promise<void> {
    for (const row of this.#database
      .prepare(query.sql)
      .raw(true)
      .iterate(...(query.parameters as unknown[])) as Iterable<unknown[]>)
      onRow(row);
  }

  /** SQLite DDL is transactional: drop the secondary indexes now, rebuild them before commit (or roll back with it). */
  override async beginBulkLoad(db: Kysely<WarehouseDb>, table: string): Promise<() => Promise<void>> {
    const indexes = await sql<{
      name: string;
      sql: string;
    }>`select name, sql from sqlite_master where type = 'index' and tbl_name = ${table} and sql is not null`.execute(db);
    for (const index of indexes.rows) await sql`drop index ${sql.id(index.name)}`.execute(db);
    return async () => {
      for (const index of indexes.rows) await sql.raw(index.sql).execute(db);
    };
  }

  quote(identifier: string): string {
    return `"${identifier}"`;
  }

  protected onConflictClause(spec: UpsertSpec): string {
    const sets = spec.updateColumns.map((c) => `${this.quote(c)} = excluded.${this.quote(c)}`).join(', ');
    return `on conflict (${this.quote(spec.conflictColumn)}) do update set ${sets}`;
  }

  protected mergingClause(keyColumns: readonly string[], merges: readonly (readonly [string, MergeRule])[]): string {
    const q = (c: string): string => this.quote(c);
    const sets = merges.map(([c, rule]) => `${q(c)} = ${rule === 'add' ? `${q(c)} + excluded.${q(c)}` : `max(${q(c)}, excluded.${q(c)})`}`).join(', ');
    return `on conflict (${keyColumns.map(q).join(', ')}) do update set ${sets}`;
  }

  protected insertIgnoreVerb(): string {
    return 'insert or ignore';
  }

  isUniqueViolation(error: unknown): boolean {
    const code = (error as { code?: unknown } | null)?.code;
    return code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || code === 'SQLITE_CONSTRAINT_UNIQUE';
  }
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

function hasSqliteHeader(file: string): boolean {
  const head = Buffer.alloc(SQLITE_MAGIC.length);
  const fd = openSync(file, 'r');
  try {
    return readSync(fd, head, 0, head.length, 0) === head.length && head.equals(SQLITE_MAGIC);
  } finally {
    closeSync(fd);
  }
}

/** `sqlite:PATH`, `sqlite://PATH` or `sqlite::memory:` → a Kysely SQLite dialect on better-sqlite3. */
export function createSqliteDialect(url: string): { dialect: SqliteDialect; database: Database.Database; file: string } {
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file === '') throw new BackendUnavailableError(`database URL '${url}' has no file path (expected sqlite:PATH)`);
  let database: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    database = new Database(file);
    // WAL: readers never block the loader; NORMAL sync is durable at every checkpoint and safe with WAL.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    // Checkpoint every ~40 MB of WAL instead of SQLite's ~4 MB: a transaction of 1 000 feedback events dirties about
    // a thousand index pages (random users), so the default checkpointed at nearly every commit, copying pages that
    // the next commits dirty again; this halves the commit time of such writes (measured with bench/feedback-floor.ts).
    database.pragma('wal_autocheckpoint = 10000');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 30000');
    // No sorter helper threads (PRAGMA threads stays 0): on the index rebuild of a bulk load they cost about
    // 70 MB of peak memory and no measurable time, since the parse worker already uses the second core.
    database.pragma('cache_size = -8192'); // 8 MiB page cache: loads append, so a larger cache buys little and costs peak memory
  } catch (error) {
    throw new BackendUnavailableError(`cannot open SQLite database ${file}: ${(error as Error).message}`, { cause: error });
  }
  return { dialect: new SqliteDialect({ database: cachingStatements(database) }), database, file };
}

/** Prepared statements Kysely's queries keep, by SQL text (least recently used dropped first). */
const STATEMENT_CACHE = 100;

/**
 * `database` as Kysely's SQLite driver sees it, with its statements prepared once per SQL text: the driver prepares
 * every query anew, which for the multi-row inserts of a feedback batch costs about as much as running them. A
 * streamed read gets a statement of its own, so a cached statement is never busy iterating when it is run again.
 */
function cachingStatements(database: Database.Database): SqliteDatabase {
  const cache = new Map<string, Database.Statement>();
  return {
    close: () => database.close(),
    prepare(sqlText: string): SqliteStatement {
      let statement = cache.get(sqlText);
      if (statement === undefined) {
        statement = database.prepare(sqlText);
        if (cache.size >= STATEMENT_CACHE) cache.delete(cache.keys().next().value!);
      } else cache.delete(sqlText);
      cache.set(sqlText, statement);
      const cached = statement;
      return {
        reader: cached.reader,
        all: (parameters) => cached.all(parameters as unknown[]),
        run: (parameters) => cached.run(parameters as unknown[]),
        iterate: (parameters) => database.prepare(sqlText).iterate(parameters as unknown[]),
      };
    },
  };
}
