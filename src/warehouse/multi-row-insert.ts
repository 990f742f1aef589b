import { CompiledQuery, type Insertable, type Kysely } from 'kysely';
import type { WarehouseDialect } from './dialects/warehouse-dialect.ts';
import type { WarehouseDb } from './schema.ts';

/** SQL texts compiled so far, per backend (its dialect object), by table, columns, row count and returned columns. */
const compiledTexts = new WeakMap<WarehouseDialect, Map<string, string>>();
/** Distinct statements kept per backend: row counts vary little (full chunks and one remainder per batch). */
const MAX_TEXTS = 256;

/**
 * A multi-row insert of `rows` into `table`, every row given as `columns` in that order (a missing value as null),
 * optionally `returning` some columns. Kysely builds and compiles it the first time a row count occurs; after that
 * the same SQL text is reused with the rows' values as parameters in row order: building a statement of hundreds
 * of rows in Kysely (a node per value, then the compiler's pass over them) costs as much JavaScript as the rest of
 * a feedback batch. The text is Kysely's own, so compiled-SQL assertions see the same statement either way.
 */
export function multiRowInsert<T extends keyof WarehouseDb & string>(o: {
  db: Kysely<WarehouseDb>;
  dialect: WarehouseDialect;
  table: T;
  columns: readonly (keyof Insertable<WarehouseDb[T]> & string)[];
  rows: readonly Insertable<WarehouseDb[T]>[];
  returning?: readonly string[];
}): CompiledQuery {
  const { columns, rows } = o;
  const key = `${o.table}|${columns.join(',')}|${rows.length}|${o.returning?.join(',') ?? ''}`;
  let texts = compiledTexts.get(o.dialect);
  if (!texts) compiledTexts.set(o.dialect, (texts = new Map()));
  const parameters: unknown[] = new Array(rows.length * columns.length);
  let p = 0;
  for (const row of rows) for (const c of columns) parameters[p++] = (row as Record<string, unknown>)[c] ?? null;
  const text = texts.get(key);
  if (text !== undefined) return CompiledQuery.raw(text, parameters);
  const ordered = rows.map((row) => Object.fromEntries(columns.map((c) => [c, (row as Record<string, unknown>)[c] ?? null])));
  // The builder's types cannot follow a table picked by a type parameter; the rows are that table's.
  const insert = o.db.insertInto(o.table).values(ordered as never);
  const compiled = (o.returning ? insert.returning(o.returning as never) : insert).compile();
  if (sameValues(compiled.parameters, parameters)) {
    if (texts.size >= MAX_TEXTS) texts.clear();
    texts.set(key, compiled.sql);
  }
  return compiled;
}

/** Whether Kysely bound exactly these values in this order (else its text is not reused). */
function sameValues(a: readonly unknown[], b: readonly unknown[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
