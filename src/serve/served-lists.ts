import { candidateServices, recommendForUser, type LoadedModel, type Recommendation } from '../pipeline/index.ts';
import type { TopK } from '../models/core/index.ts';
import type { Warehouse } from '../warehouse/index.ts';

/** One entry of a served list. */
export interface ServedItem {
  readonly rank: number;
  readonly service_id: string;
  readonly score: number;
}

export function topItems(loaded: LoadedModel, top: TopK): ServedItem[] {
  const items: ServedItem[] = [];
  for (let r = 0; r < top.k; r++) if (top.ids[r]! >= 0) items.push({ rank: items.length + 1, service_id: loaded.itemIds[top.ids[r]!]!, score: top.scores[r]! });
  return items;
}

/**
 * For a user without history in the model: the most popular services located in the user's region, when the
 * warehouse knows the user and their region and has services there; undefined otherwise (or when the
 * database is unreachable: the overall list then stands).
 */
export async function popularInRegion(warehouse: Warehouse, loaded: LoadedModel, userId: string, k: number): Promise<{ basis: 'popular-in-region'; items: ServedItem[] } | undefined> {
  try {
    const row = await warehouse.db
      .selectFrom('dimUser as u')
      .innerJoin('dimRegion as r', 'r.regionKey', 'u.regionKey')
      .select('r.regionName')
      .where('u.userId', '=', userId)
      .executeTakeFirst();
    if (row === undefined) return undefined;
    const candidates = await candidateServices(warehouse, loaded, { region: row.regionName });
    if (candidates.length === 0) return undefined;
    const top = loaded.fallback.recommend(Int32Array.of(0), { k: Math.min(k, loaded.itemIds.length), candidates });
    const items = topItems(loaded, top);
    return items.length === 0 ? undefined : { basis: 'popular-in-region', items };
  } catch {
    return undefined;
  }
}

export function recommendFor(
  loaded: LoadedModel,
  userId: string,
  k: number,
  candidates: Int32Array | undefined,
  excludeSeen: boolean,
): { basis: 'model' | 'popular' | 'popular-in-region'; items: ServedItem[] } {
  const asItems = (list: readonly Recommendation[]) => list.map((r) => ({ rank: r.rank, service_id: r.serviceId, score: r.score }));
  if (!loaded.userIndex.has(userId)) {
    // Unknown to the model: the most popular services (documented fallback).
    const top = loaded.fallback.recommend(Int32Array.of(0), { k: Math.min(k, loaded.itemIds.length), ...(candidates ? { candidates } : {}) });
    return { basis: 'popular', items: topItems(loaded, top) };
  }
  const result = recommendForUser(loaded, userId, k, candidates, { excludeSeen });
  return { basis: result.basis, items: asItems(result.recommendations) };
}

