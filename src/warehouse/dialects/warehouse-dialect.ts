import { CompiledQuery, type Kysely } from 'kysely';
import type { WarehouseDb } from '../schema.ts';

/** A multi-row "insert, or update on natural-key conflict" statement, with its parameter layout. */
export interface UpsertSpec {
  readonly table: string;
  /** snake_case columns, in parameter order. */
  readonly columns: readonly string[];
  /** The unique natural key that decides insert vs update. */
  readonly conflictColumn: string;
  /** Columns overwritten when the natural key already exists. */
  readonly updateColumns: readonly string[];
}

/** How an upsert merges a column into the row already stored: adds the new value to it, or keeps the larger. */
export type MergeRule = 'add' | 'max';

/** A held exclusive lock (see {@link WarehouseDialect.tryLock}). */
export interface RunLock {
  release(): Promise<void>;
}

/** Who holds a lock that could not be taken, for the message. */
export type LockHolder = { readonly description: string };

/**
 * What differs between warehouse backends, and nothing else: SQL that Kysely's builder cannot express
 * cheaply for bulk loads, and capability flags. Nothing outside `warehouse/dialects/` tests the backend name.
 */
export abstract class WarehouseDialect {
  abstract readonly name: 'sqlite' | 'mariadb';
  /** Largest number of bound parameters one statement may carry. */
  readonly maxParameters: number = 30_000;
  /** Parameters per bulk statement: as many as allowed unless the backend works better with smaller ones. */
  readonly statementParameters: number = 30_000;
  /**
   * Whether `insert … returning` works (SQLite 3.35+, MariaDB 10.5+; not MySQL): a repo can then read generated
   * keys from the insert's own answer instead of a second statement.
   */
  get insertReturning(): boolean {
    return false;
  }
  readonly #cache = new Map<string, string>();

  /**
   * Called once when the warehouse opens, before migrations: checks (and where it safely can, fixes) what the
   * backend must provide for the schema to hold every landing file's text. Returns what it changed, for the log.
   */
  async prepare(_db: Kysely<WarehouseDb>): Promise<readonly string[]> {
    return [];
  }

  /** Quotes an identifier. */
  abstract quote(identifier: string): string;

  /** Multi-row upsert SQL for `rows` rows (cached per spec and row count). */
  upsertSql(spec: UpsertSpec, rows: number): string {
    const cacheKey = `${spec.table}|${spec.columns.join(',')}|${spec.conflictColumn}|${spec.updateColumns.join(',')}|${rows}`;
    let text = this.#cache.get(cacheKey);
    if (text === undefined) {
      const tuple = `(${spec.columns.map(() => '?').join(',')})`;
      const values = new Array<string>(rows).fill(tuple).join(',');
      text = `insert into ${this.quote(spec.table)} (${spec.columns.map((c) => this.quote(c)).join(',')}) values ${values} ${this.onConflictClause(spec)}`;
      if (this.#cache.size > 64) this.#cache.clear();
      this.#cache.set(cacheKey, text);
    }
    return text;
  }

  /** Multi-row insert that silently keeps existing rows on a natural-key conflict. */
  insertIgnoreSql(table: string, columns: readonly string[], rows: number): string {
    return `${this.insertIgnoreVerb()} ${this.#valuesClause(table, columns, rows)}`;
  }

  /**
   * Multi-row insert that, where a row with the same primary key (`keyColumns`) exists, merges the new row's other
   * columns into it by their rule (`add`: the sum, `max`: the larger): the rollups, kept in the transaction that
   * writes the facts.
   */
  mergingUpsertSql(o: { table: string; keyColumns: readonly string[]; merge: Readonly<Record<string, MergeRule>> }, rows: number): string {
    const merges = Object.entries(o.merge);
    return `insert ${this.#valuesClause(o.table, [...o.keyColumns, ...merges.map(([c]) => c)], rows)} ${this.mergingClause(o.keyColumns, merges)}`;
  }

  /** Plain multi-row insert of `rows` rows. */
  insertSql(table: string, columns: readonly string[], rows: number): string {
    return `insert ${this.#valuesClause(table, columns, rows)}`;
  }

  #valuesClause(table: string, columns: readonly string[], rows: number): string {
    const tuple = `(${columns.map(() => '?').join(',')})`;
    return `into ${this.quote(table)} (${columns.map((c) => this.quote(c)).join(',')}) values ${new Array<string>(rows).fill(tuple).join(',')}`;
  }

  /** Whether `error` is this backend's unique or primary-key violation (to retry a racing insert). */
  abstract isUniqueViolation(error: unknown): boolean;

  /** Whether `error` means the server rolled the statement back to break a deadlock (safe to run again). */
  isDeadlock(_error: unknown): boolean {
    return false;
  }

  /**
   * Runs `work` (one statement, or a transaction, that is safe to repeat after a rollback), again after a short,
   * growing pause when the server chose it as a deadlock victim, at most `attempts` times. Row locks of processes
   * racing on one table (trials of one study) can deadlock even in single statements; the server's advice is to retry.
   */
  async retryingDeadlocks<T>(work: () => Promise<T>, attempts = 5): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await work();
      } catch (error) {
        if (!this.isDeadlock(error) || attempt >= attempts) throw error;
        await new Promise((resolve) => setTimeout(resolve, 10 * attempt * (1 + Math.random())));
      }
    }
  }

  /**
   * Runs an insert guarded by a unique key: true when it inserted, false when the key already existed
   * (another process won the race); any other error is thrown.
   */
  async insertUnlessDuplicate(insert: () => Promise<unknown>): Promise<boolean> {
    try {
      await insert();
      return true;
    } catch (error) {
      if (this.isUniqueViolation(error)) return false;
      throw error;
    }
  }

  /** The row `find` returns, inserted by `create` first when missing (when another process inserts it at the same time, theirs is found). */
  async findOrCreate<T>(find: () => Promise<T | undefined>, create: () => Promise<unknown>): Promise<T | undefined> {
    const found = await find();
    if (found !== undefined) return found;
    await this.insertUnlessDuplicate(create);
    return find();
  }

  /**
   * Inserts a row under the next number of a sequence that a unique key guards: `highest` reads the current
   * highest number (null when there is none: the row takes `first`), `insert` writes the row under a number.
   * When another process took the number first, it reads again and retries, at most `attempts` times.
   * Returns the number taken, or undefined when every attempt lost the race.
   */
  async insertNextNumber(o: {
    first: number;
    attempts: number;
    highest: () => Promise<number | null>;
    insert: (n: number) => Promise<unknown>;
  }): Promise<number | undefined> {
    for (let attempt = 0; attempt < o.attempts; attempt++) {
      const top = await o.highest();
      const n = top === null ? o.first : top + 1;
      if (await this.insertUnlessDuplicate(() => o.insert(n))) return n;
    }
    return undefined;
  }

  protected abstract onConflictClause(spec: UpsertSpec): string;
  protected abstract insertIgnoreVerb(): string;
  /** The conflict clause of {@link mergingUpsertSql}. */
  protected abstract mergingClause(keyColumns: readonly string[], merges: readonly (readonly [string, MergeRule])[]): string;

  /**
   * Takes the exclusive lock `name` for this warehouse (e.g. one ingest at a time), or says who holds it.
   * A lock held by a process that died is released by the backend, never left to block later runs.
   */
  abstract tryLock(db: Kysely<WarehouseDb>, name: string): Promise<RunLock | LockHolder>;

  /**
   * Runs a select and hands each row to `onRow` as an array in select order, as it arrives: for scans of a whole
   * table, where building a row object per row and awaiting each would cost more than the query. A backend may
   * read on a connection of its own, outside any open transaction: the scan is one statement and sees one
   * committed state; callers that combine it with other reads hold the run lock. This default streams through Kysely.
   */
  async scanRows(db: Kysely<WarehouseDb>, query: CompiledQuery, onRow: (row: readonly unknown[]) => void): Promise<void> {
    await db.getExecutor().provideConnection(async (connection) => {
      for await (const chunk of connection.streamQuery(query, 10_000)) for (const row of chunk.rows) onRow(Object.values(row as object));
    });
  }

  /**
   * Throws a BackendUnavailableError when the storage this warehouse was opened on is no longer what its URL
   * names: an embedded database file moved, deleted, replaced or truncated under a running process (whose
   * open handle would go on answering from what it had read). A database server has nothing to check here:
   * a query reaches it or fails.
   */
  async checkStorage(): Promise<void> {}

  /**
   * Runs one bulk statement on `db` (a transaction during loads) and returns the rows it changed (an insert that
   * keeps existing rows: the rows it inserted), undefined when the backend does not say. Backends may cache prepared
   * statements.
   */
  async execBulk(db: Kysely<WarehouseDb>, sqlText: string, params: readonly unknown[]): Promise<number | undefined> {
    const { numAffectedRows } = await db.executeQuery(CompiledQuery.raw(sqlText, [...params]));
    return numAffectedRows === undefined ? undefined : Number(numAffectedRows);
  }

  /**
   * Called inside a load transaction before writing many rows into `table`, relative to its size. A backend
   * with transactional DDL may drop the table's secondary indexes here and rebuild them in one sorted pass
   * at the end (the returned function), which is several times faster than maintaining them row by row.
   * The default keeps indexes as they are.
   */
  async beginBulkLoad(_db: Kysely<WarehouseDb>, _table: string): Promise<() => Promise<void>> {
    return async () => {};
  }
}
