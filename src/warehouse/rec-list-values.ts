import type { Insertable } from 'kysely';
import type { RecListSource, RecListTable } from './schema.ts';

/** rec_list's columns in the order {@link recListValues} lists them (the bulk insert binds them so). */
export const REC_LIST_COLUMNS = [
  'recommendation_id',
  'source',
  'batch_id',
  'user_id',
  'model_name',
  'registry_version',
  'model_kind',
  'artifact_version',
  'basis',
  'filter_category',
  'filter_region',
  'k',
  'item_count',
  'created_at',
  'items',
] as const;

/** A served list's rec_list row as values in {@link REC_LIST_COLUMNS} order. */
export type RecListValues = [
  recommendationId: string,
  source: RecListSource,
  batchId: string | null,
  userId: string | null,
  modelName: string | null,
  registryVersion: number | null,
  modelKind: string,
  artifactVersion: string,
  basis: string,
  filterCategory: string | null,
  filterRegion: string | null,
  k: number,
  itemCount: number,
  createdAt: string,
  items: string,
];

/** The row's fields in {@link REC_LIST_COLUMNS} order: the one mapping between the row and its values. */
const REC_LIST_FIELDS = [
  'recommendationId',
  'source',
  'batchId',
  'userId',
  'modelName',
  'registryVersion',
  'modelKind',
  'artifactVersion',
  'basis',
  'filterCategory',
  'filterRegion',
  'k',
  'itemCount',
  'createdAt',
  'items',
] as const satisfies readonly (keyof RecListTable)[] & { length: (typeof REC_LIST_COLUMNS)['length'] };

export function recListValues(l: Insertable<RecListTable>): RecListValues {
  const values = new Array<unknown>(REC_LIST_FIELDS.length);
  for (let i = 0; i < REC_LIST_FIELDS.length; i++) values[i] = l[REC_LIST_FIELDS[i]!] ?? null;
  return values as RecListValues;
}

/** The row back from {@link recListValues}' values. */
export function recListFromValues(v: Readonly<RecListValues>): Insertable<RecListTable> {
  const row: Record<string, unknown> = {};
  for (let i = 0; i < REC_LIST_FIELDS.length; i++) row[REC_LIST_FIELDS[i]!] = v[i];
  return row as unknown as Insertable<RecListTable>;
}
