import { MysqlDialect } from 'kysely';
import { createPool } from 'mysql2';
import { WarehouseDialect, type UpsertSpec } from './warehouse-dialect.ts';

export class MariaDbWarehouseDialect extends WarehouseDialect {
  readonly name = 'mariadb' as const;
  override readonly maxParameters = 60_000;

  quote(identifier: string): string {
    return `\`${identifier}\``;
  }

  protected onConflictClause(spec: UpsertSpec): string {
    const sets = spec.updateColumns.map((c) => `${this.quote(c)} = values(${this.quote(c)})`).join(', ');
    return `on duplicate key update ${sets}`;
  }

  protected insertIgnoreVerb(): string {
    return 'insert ignore';
  }
}

export interface MariaDbDialectOptions {
  readonly url: string;
  readonly poolSize: number;
  readonly connectTimeoutSeconds: number;
}

/** `mysql://user:pass@host:port/db` (also `mariadb://`) → a Kysely MySQL dialect on a mysql2 pool. */
export function createMariaDbDialect(options: MariaDbDialectOptions): MysqlDialect {
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
  return new MysqlDialect({ pool });
}
