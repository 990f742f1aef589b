import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { SqliteDialect } from 'kysely';
import { BackendUnavailableError } from '../../shared/errors.ts';
import { WarehouseDialect, type UpsertSpec } from './warehouse-dialect.ts';

export class SqliteWarehouseDialect extends WarehouseDialect {
  readonly name = 'sqlite' as const;
  override readonly maxParameters = 32_000;

  quote(identifier: string): string {
    return `"${identifier}"`;
  }

  protected onConflictClause(spec: UpsertSpec): string {
    const sets = spec.updateColumns.map((c) => `${this.quote(c)} = excluded.${this.quote(c)}`).join(', ');
    return `on conflict (${this.quote(spec.conflictColumn)}) do update set ${sets}`;
  }

  protected insertIgnoreVerb(): string {
    return 'insert or ignore';
  }
}

/** `sqlite:PATH`, `sqlite://PATH` or `sqlite::memory:` → a Kysely SQLite dialect on better-sqlite3. */
export function createSqliteDialect(url: string): { dialect: SqliteDialect; file: string } {
  const file = url.replace(/^sqlite:(\/\/)?/, '');
  if (file === '') throw new BackendUnavailableError(`database URL '${url}' has no file path (expected sqlite:PATH)`);
  let database: Database.Database;
  try {
    if (file !== ':memory:') mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    database = new Database(file);
    // WAL: readers never block the loader; NORMAL sync is durable at every checkpoint and safe with WAL.
    database.pragma('journal_mode = WAL');
    database.pragma('synchronous = NORMAL');
    database.pragma('foreign_keys = ON');
    database.pragma('busy_timeout = 30000');
    database.pragma('cache_size = -65536');
    database.pragma('temp_store = MEMORY');
  } catch (error) {
    throw new BackendUnavailableError(`cannot open SQLite database ${file}: ${(error as Error).message}`, { cause: error });
  }
  return { dialect: new SqliteDialect({ database }), file };
}
