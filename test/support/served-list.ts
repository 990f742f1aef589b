import type { ServedListRow } from '../../src/warehouse/index.ts';

/** A served list of user U1 by model `shop` v1 under `id`, showing `items` services S0, S1, … with falling scores. */
export function servedList(id: string, items = 1): ServedListRow {
  return {
    list: {
      recommendationId: id,
      source: 'user',
      batchId: null,
      userId: 'U1',
      modelName: 'shop',
      registryVersion: 1,
      modelKind: 'als',
      artifactVersion: 'v1',
      basis: 'model',
      filterCategory: null,
      filterRegion: null,
      k: items,
      itemCount: items,
      createdAt: '2026-03-02 10:00:00.000',
    },
    items: Array.from({ length: items }, (_, r) => ({ rank: r + 1, serviceId: `S${r}`, score: 1 - r / 10 })),
  };
}
