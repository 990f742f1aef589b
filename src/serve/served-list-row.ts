import type { ServiceFilter } from '../registry/index.ts';
import type { RecListSource, ServedListRow } from '../warehouse/index.ts';
import type { ServedList } from './served-lists.ts';
import type { ServedModel } from './served-model.ts';

/** A list the API answers with, as the recorder writes it (rec_list and its rec_impression rows). */
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
    list: {
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
    },
    items: o.list.items.map((i) => ({ rank: i.rank, serviceId: i.service_id, score: i.score })),
  };
}
