import { CamelCasePlugin, Kysely, sql } from 'kysely';
import { BackendUnavailableError, redactUrl, UnsupportedUrlError } from '../shared/index.ts';
import type { WarehouseDialect } from './dialects/warehouse-dialect.ts';
import type { WarehouseDb } from './schema.ts';

/** An open warehouse: the query layer plus what differs per backend. */
export interface Warehouse {
  readonly db: Kysely<WarehouseDb>;
  readonly dialect: WarehouseDialect;
  /** The URL with any password hidden, for messages. */
  readonly displayUrl: string;
  /** What opening changed to make the backend fit (e.g. a MariaDB database's character set), for the log. */
  readonly prepared: readonly string[];
  close(): Promise<void>;
}

/** Where the warehouse is and how to connect (the `database` section of the configuration fits it). */
export interface WarehouseConnection {
  /** `sqlite:PATH` or `mysql://user:pass@host:port/db` (`mariadb://` too). */
  readonly url: string;
  /** MariaDB connections in the pool (default 4). */
  readonly poolSize?: number;
  /** Seconds to wait for a MariaDB connection before failing (default 10). */
  readonly connectTimeoutSeconds?: number;
}

/**
 * Opens the warehouse named by `config.url` (`sqlite:` or `mysql://`/`mariadb://`) and checks that it
 * answers, so that an unreachable server fails here, before any file is touched.
 */
export async function openWarehouse(config: WarehouseConnection): Promise<Warehouse> {
  const { url } = config;
  const displayUrl = redactUrl(url);
  let db: Kysely<WarehouseDb>;
  let dialect: WarehouseDialect;
  if (url.startsWith('sqlite:')) {
    // Drivers load on demand: a SQLite run never pays for mysql2, nor a MariaDB run for better-sqlite3.
    const { createSqliteDialect, SqliteWarehouseDialect } = await import('./dialects/sqlite.ts');
    const sqlite = createSqliteDialect(url);
    db = new Kysely<WarehouseDb>({ dialect: sqlite.dialect, plugins: [new CamelCasePlugin()] });
    dialect = new SqliteWarehouseDialect(sqlite.database, sqlite.file);
  } else if (url.startsWith('mysql://') || url.startsWith('mariadb://')) {
    const { createMariaDbDialect, MariaDbWarehouseDialect } = await import('./dialects/mariadb.ts');
    const mariadb = createMariaDbDialect({
      url,
      poolSize: config.poolSize ?? 4,
      connectTimeoutSeconds: config.connectTimeoutSeconds ?? 10,
    });
    db = new Kysely<WarehouseDb>({ dialect: mariadb.dialect, plugins: [new CamelCasePlugin()] });
    dialect = new MariaDbWarehouseDialect(mariadb.pool);
  } else {
    throw new UnsupportedUrlError(`unsupported database URL '${displayUrl}': use sqlite:PATH or mysql://user:pass@host:port/db`);
  }
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw new BackendUnavailableError(`cannot reach the database ${displayUrl}: ${describeDbError(error)}`, { cause: error });
  }
  let prepared: readonly string[];
  try {
    prepared = await dialect.prepare(db);
  } catch (error) {
    await db.destroy().catch(() => undefined);
    throw error;
  }
  return {
    db,
    dialect,
    displayUrl,
    prepared,
    close: () => db.destroy(),
  };
}

function describeDbError(error: unknown): string {
  const e = error as { code?: string; message?: string };
  switch (e.code) {
    case 'ECONNREFUSED':
      return 'connection refused (is the server running, and is the host/port right?)';
    case 'ETIMEDOUT':
      return 'connection timed out (check host, port and firewall)';
    case 'ENOTFOUND':
      return 'host name not found';
    case 'ER_ACCESS_DENIED_ERROR':
      return 'access denied (check the user name and password)';
    case 'ER_BAD_DB_ERROR':
      return `${e.message ?? 'unknown database'} (create it first: CREATE DATABASE … CHARACTER SET utf8mb4)`;
    default:
      return e.message ?? String(error);
  }
}
