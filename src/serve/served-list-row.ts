import type { ServiceFilter } from '../registry/index.ts';
import { packShownItems, type RecListSource, type ServedListRow } from '../warehouse/index.ts';
import type { ServedList } from './served-lists.ts';
import type { ServedModel } from './served-model.ts';

/** A list the API answers with, as the recorder writes it (its rec_list row, the items packed in it). */
export function servedListRow(
  m: ServedModel,
  o: {
    recommendationId: string;
    source: RecListSource;
    batchId?: string;
    userId: string | null;
    list: ServedList;
    k: number;
    filter?: ServiceFilter;
    createdAt: string;
  },
): ServedListRow {
  return {
    recommendationId: o.recommendationId,
    source: o.source,
    batchId: o.batchId ?? null,
    userId: o.userId,
    modelName: m.name,
    registryVersion: m.version,
    modelKind: m.loaded.manifest.kind,
    artifactVersion: m.loaded.manifest.version,
    basis: o.list.basis,
    filterCategory: o.filter?.category ?? null,
    filterRegion: o.filter?.region ?? null,
    k: o.k,
    itemCount: o.list.items.length,
    createdAt: o.createdAt,
    items: packShownItems(o.list.items, (i) => [i.service_id, i.score]),
  };
}
