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

export function recListValues(l: Insertable<RecListTable>): RecListValues {
  return [
    l.recommendationId,
    l.source,
    l.batchId ?? null,
    l.userId ?? null,
    l.modelName ?? null,
    l.registryVersion ?? null,
    l.modelKind,
    l.artifactVersion,
    l.basis,
    l.filterCategory ?? null,
    l.filterRegion ?? null,
    l.k,
    l.itemCount,
    l.createdAt,
    l.items,
  ];
}

/** The row back from {@link recListValues}' values. */
export function recListFromValues(v: Readonly<RecListValues>): Insertable<RecListTable> {
  const [
    recommendationId,
    source,
    batchId,
    userId,
    modelName,
    registryVersion,
    modelKind,
    artifactVersion,
    basis,
    filterCategory,
    filterRegion,
    k,
    itemCount,
    createdAt,
    items,
  ] = v;
  return {
    recommendationId,
    source,
    batchId,
    userId,
    modelName,
    registryVersion,
    modelKind,
    artifactVersion,
    basis,
    filterCategory,
    filterRegion,
    k,
    itemCount,
    createdAt,
    items,
  };
}
