import { MysqlDialect, sql, type CompiledQuery, type Kysely } from 'kysely';
import type { WarehouseDb } from '../schema.ts';
import { createPool, type Pool } from 'mysql2';
import { ConfigError } from '../../shared/index.ts';
import { WarehouseDialect, type LockHolder, type MergeRule, type RunLock, type UpsertSpec } from './warehouse-dialect.ts';

export class MariaDbWarehouseDialect extends WarehouseDialect {
  readonly name = 'mariadb' as const;
  override readonly maxParameters = 60_000;
  override readonly statementParameters = 60_000;
  readonly #pool: Pool | undefined;
  #insertReturning = false;

  /** `pool` (the one behind Kysely) lets {@link scanRows} stream rows as arrays. */
  constructor(pool?: Pool) {
    super();
    this.#pool = pool;
  }

  /**
   * Streams rows as arrays on a pool connection of its own (mysql2's `rowsAsArray`): Kysely's stream builds an
   * object and awaits a promise per row, which doubles the time of a million-row scan.
   */
  override async scanRows(db: Kysely<WarehouseDb>, query: CompiledQuery, onRow: (row: readonly unknown[]) => void): Promise<void> {
    const pool = this.#pool;
    if (pool === undefined) return super.scanRows(db, query, onRow);
    await new Promise<void>((resolve, reject) => {
      // An exception in onRow must not escape mysql2's event handler: it fails the scan once the rows are drained.
      let failure: unknown;
      pool
        .query({ sql: query.sql, values: [...query.parameters], rowsAsArray: true })
        .on('result', (row) => {
          if (failure !== undefined) return;
          try {
            onRow(row as unknown as unknown[]);
          } catch (error) {
            failure = error;
          }
        })
        .on('error', reject)
        .on('end', () => (failure === undefined ? resolve() : reject(failure)));
    });
  }

  /** MariaDB 10.5+ has `insert … returning`; MySQL has not. Known once {@link prepare} has read the server's version. */
  override get insertReturning(): boolean {
    return this.#insertReturning;
  }

  quote(identifier: string): string {
    return `\`${identifier}\``;
  }

  /**
   * Every text column must be utf8mb4 (names in Korean, emoji): a server or database whose default is latin1
   * would refuse the first Korean name. Checks that the connection really speaks utf8mb4 (a server can force
   * another character set on its clients), makes utf8mb4 the database's default so every table the migrations
   * create is utf8mb4, and converts tables that an earlier default made otherwise.
   */
  override async prepare(db: Kysely<WarehouseDb>): Promise<readonly string[]> {
    const row = (
      await sql<{ client: string; connection: string; results: string | null; database: string; name: string | null; version: string }>`
        select @@character_set_client as client, @@character_set_connection as connection, @@character_set_results as results,
               @@character_set_database as \`database\`, database() as name, version() as version`.execute(db)
    ).rows[0]!;
    this.#insertReturning = hasInsertReturning(row.version);
    const wrong = (['client', 'connection', 'results'] as const).filter((k) => row[k] !== 'utf8mb4');
    if (wrong.length > 0) {
      throw new ConfigError(
        `the MariaDB connection uses character set ${wrong.map((k) => `${k} ${row[k] ?? 'none'}`).join(', ')} instead of utf8mb4, so names outside Latin-1 (Korean, emoji) would be refused or corrupted. ` +
          'The server imposes it (skip-character-set-client-handshake, init_connect, or a proxy in between): remove that setting or make it utf8mb4.',
      );
    }
    if (row.name === null) throw new ConfigError('the database URL names no database: use mysql://user:pass@host:port/DATABASE');
    const changed: string[] = [];
    if (row.database !== 'utf8mb4') {
      try {
        await sql`alter database ${sql.id(row.name)} character set utf8mb4 collate utf8mb4_unicode_ci`.execute(db);
      } catch (error) {
        throw new ConfigError(
          `database ${row.name} has the default character set ${row.database}, and pickwise needs utf8mb4 but could not change it (${(error as Error).message}). ` +
            `As its owner, run: ALTER DATABASE \`${row.name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
          { cause: error },
        );
      }
      changed.push(`database ${row.name}: default character set ${row.database} → utf8mb4`);
    }
    const tables = await sql<{ name: string; collation: string }>`
      select table_name as name, table_collation as collation from information_schema.tables
      where table_schema = database() and table_type = 'BASE TABLE' and table_collation not like 'utf8mb4%'`.execute(db);
    for (const t of tables.rows) {
      await sql`alter table ${sql.id(t.name)} convert to character set utf8mb4 collate utf8mb4_unicode_ci`.execute(db);
      changed.push(`table ${t.name}: ${t.collation} → utf8mb4_unicode_ci`);
    }
    return changed;
  }

  protected onConflictClause(spec: UpsertSpec): string {
    const sets = spec.updateColumns.map((c) => `${this.quote(c)} = values(${this.quote(c)})`).join(', ');
    return `on duplicate key update ${sets}`;
  }

  protected mergingClause(_keyColumns: readonly string[], merges: readonly (readonly [string, MergeRule])[]): string {
    const q = (c: string): string => this.quote(c);
    return `on duplicate key update ${merges.map(([c, rule]) => `${q(c)} = ${rule === 'add' ? `${q(c)} + values(${q(c)})` : `greatest(${q(c)}, values(${q(c)}))`}`).join(', ')}`;
  }

  protected insertIgnoreVerb(): string {
    return 'insert ignore';
  }

  isUniqueViolation(error: unknown): boolean {
    return (error as { errno?: unknown } | null)?.errno === 1062; // ER_DUP_ENTRY
  }

  override isDeadlock(error: unknown): boolean {
    return (error as { errno?: unknown } | null)?.errno === 1213; // ER_LOCK_DEADLOCK
  }

  /**
   * GET_LOCK on a connection reserved for the lock's lifetime: the server releases it by itself when that
   * connection dies, so a killed run never leaves the lock behind.
   */
  async tryLock(db: Kysely<WarehouseDb>, name: string): Promise<RunLock | LockHolder> {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    return new Promise<RunLock | LockHolder>((resolve, reject) => {
      db.connection()
        .execute(async (conn) => {
          // GET_LOCK names are global to the server: the database's own name (hashed, as names are short) keeps two
          // installations on one server from blocking each other.
          const named = await sql<{ n: string }>`select concat('pickwise:', left(md5(database()), 16), ':', ${name}) as n`.execute(conn);
          const lockName = named.rows[0]!.n;
          const got = await sql<{ ok: number | null }>`select get_lock(${lockName}, 0) as ok`.execute(conn);
          if (Number(got.rows[0]?.ok) !== 1) {
            const who = await sql<{ id: number | null }>`select is_used_lock(${lockName}) as id`.execute(conn);
            resolve({ description: `MariaDB connection ${String(who.rows[0]?.id ?? '?')}` });
            return;
          }
          let done!: () => void;
          const finished = new Promise<void>((r) => (done = r));
          resolve({
            release: async () => {
              release();
              await finished;
            },
          });
          try {
            await released;
            await sql`select release_lock(${lockName})`.execute(conn);
          } finally {
            done();
          }
        })
        .catch(reject);
    });
  }
}

/** Whether a server of this `version()` (e.g. `10.11.6-MariaDB-0+deb12u1`, `8.0.36`) runs `insert … returning`: MariaDB 10.5+. */
export function hasInsertReturning(version: string): boolean {
  const m = /^(\d+)\.(\d+)/.exec(version);
  if (!m || !/mariadb/i.test(version)) return false;
  const [major, minor] = [Number(m[1]), Number(m[2])];
  return major > 10 || (major === 10 && minor >= 5);
}

export interface MariaDbDialectOptions {
  readonly url: string;
  readonly poolSize: number;
  readonly connectTimeoutSeconds: number;
}

/** `mysql://user:pass@host:port/db` (also `mariadb://`) → a Kysely MySQL dialect on a mysql2 pool, and the pool. */
export function createMariaDbDialect(options: MariaDbDialectOptions): { dialect: MysqlDialect; pool: Pool } {
  const uri = options.url.replace(/^mariadb:/, 'mysql:');
  const pool = createPool({
    uri,
    connectionLimit: options.poolSize,
    connectTimeout: options.connectTimeoutSeconds * 1000,
    // Same value shapes as SQLite: timestamps as UTC strings, decimals as numbers.
    dateStrings: true,
    timezone: 'Z',
    decimalNumbers: true,
    supportBigNumbers: true,
    charset: 'utf8mb4_unicode_ci',
  });
  pool.on('connection', (conn) => {
    conn.query("SET time_zone = '+00:00'");
  });
  return { dialect: new MysqlDialect({ pool }), pool };
}
