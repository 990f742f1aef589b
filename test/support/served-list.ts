import { packShownItems, type ServedListRow } from '../../src/warehouse/index.ts';

/**
 * A served list of user U1 by model `shop` v1 under `id`, showing `shown` services: a count (S0, S1, … with falling
 * scores) or [service, score] pairs in rank order; `overrides` replace columns.
 */
export function servedList(id: string, shown: number | readonly [string, number][] = 1, overrides: Partial<ServedListRow> = {}): ServedListRow {
  const pairs = typeof shown === 'number' ? Array.from({ length: shown }, (_, r): [string, number] => [`S${r}`, 1 - r / 10]) : shown;
  return {
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
    k: pairs.length,
    itemCount: pairs.length,
    createdAt: '2026-03-02 10:00:00.000',
    items: packShownItems(pairs, (p) => [p[0], p[1]]),
    ...overrides,
  };
}
