import { DEFAULT_WEIGHTING, interactionWeight } from '../features/index.ts';
import type { TopK } from '../models/index.ts';
import { filteredTopForUser, foldedTop, isFilter, WarningCode, type RecentHistory, type RecommendationWarning, type ServiceFilter } from '../registry/index.ts';
import { quoteInput } from '../shared/index.ts';
import type { FromSchema } from 'json-schema-to-ts';
import type { foldInSchema, itemSchema, listBasisSchema } from './schemas.ts';
import type { ServedModel } from './served-model.ts';

/** One entry of a served list. */
export type ServedItem = FromSchema<typeof itemSchema>;

export type ServedBasis = FromSchema<typeof listBasisSchema>;

/** A list as the API answers it, before the request's own fields (ids, model) are added. */
export interface ServedList {
  readonly basis: ServedBasis;
  readonly items: ServedItem[];
  readonly warnings: RecommendationWarning[];
}

/** Row 0 of a TopK as served items, with names and categories from the model's catalog. */
export function topItems(m: ServedModel, top: TopK): ServedItem[] {
  const items: ServedItem[] = [];
  for (let r = 0; r < top.k; r++) {
    const item = top.ids[r]!;
    if (item < 0) break;
    const { name, category } = m.catalog.label(item);
    items.push({ rank: items.length + 1, service_id: m.loaded.itemIds[item]!, name, category, score: top.scores[r]! });
  }
  return items;
}

/** The most popular of the model's services, optionally among `candidates`. */
function popular(m: ServedModel, k: number, o: { candidates?: Int32Array | undefined } = {}): ServedItem[] {
  const { loaded } = m;
  const top = loaded.fallback.recommend(Int32Array.of(0), { k: Math.min(k, loaded.itemIds.length), ...(o.candidates ? { candidates: o.candidates } : {}) });
  return topItems(m, top);
}

/**
 * A user's list. A user the model knows gets the model's list (or popularity without reservations); a user
 * it does not know gets the most popular services, and without a filter `regionOf` may narrow them to the
 * user's region ('popular-in-region'; it returns undefined when it cannot). With `recent` (the reservations
 * since the model's data), a user who made some gets the list their whole history gives (see topForUser).
 */
export async function listForUser(
  m: ServedModel,
  o: {
    userId: string;
    k: number;
    filter: ServiceFilter;
    excludeSeen: boolean;
    regionOf: (userId: string) => Promise<{ region?: string; warning?: RecommendationWarning }>;
    recent?: RecentHistory | undefined;
  },
): Promise<ServedList> {
  const recent = o.recent?.forUser(o.userId);
  if (m.loaded.userIndex.has(o.userId) || recent !== undefined) {
    const list = filteredTopForUser(m.loaded, m.catalog, { userId: o.userId, k: o.k, filter: o.filter, excludeSeen: o.excludeSeen, recent });
    return { basis: list.basis, items: topItems(m, list.top), warnings: list.warnings };
  }
  if (isFilter(o.filter)) {
    const { candidates, warnings } = m.catalog.filter(o.filter);
    return { basis: 'popular', items: candidates.length === 0 ? [] : popular(m, o.k, { candidates }), warnings: [...warnings] };
  }
  const { region, warning } = await o.regionOf(o.userId);
  if (region !== undefined && m.catalog.readAt !== undefined) {
    const { candidates } = m.catalog.filter({ region });
    const items = candidates.length === 0 ? [] : popular(m, o.k, { candidates });
    if (items.length > 0) return { basis: 'popular-in-region', items, warnings: [] };
  }
  return { basis: 'popular', items: popular(m, o.k), warnings: warning ? [warning] : [] };
}

/** A reservation of a user the model has not seen, as the fold-in route takes it. */
export type FoldInInteraction = FromSchema<typeof foldInSchema.body>['interactions'][number];

/**
 * A list for a user the model has never seen, from their reservations: the model's fold-in where it has the
 * capability (`Recommender.recommendFolded`), else (or with no known service) the most popular services.
 * Their own services are never recommended back; unknown services are ignored and named in a warning.
 */
export function listForHistory(m: ServedModel, o: { interactions: readonly FoldInInteraction[]; k: number; filter: ServiceFilter }): ServedList {
  const { loaded } = m;
  const warnings: RecommendationWarning[] = [];
  const filtered = isFilter(o.filter) ? m.catalog.filter(o.filter) : undefined;
  if (filtered) warnings.push(...filtered.warnings);
  const weights = new Map<number, number>();
  const unknown: string[] = [];
  for (const i of o.interactions) {
    const item = loaded.itemIndex.get(i.service_id);
    if (item === undefined) unknown.push(i.service_id);
    else weights.set(item, (weights.get(item) ?? 0) + interactionWeight(DEFAULT_WEIGHTING, i.status ?? 'completed', i.rating ?? null, 0));
  }
  if (unknown.length > 0) {
    const shown = unknown
      .slice(0, 5)
      .map((id) => quoteInput(id))
      .join(', ');
    warnings.push({
      code: WarningCode.UNKNOWN_SERVICE,
      message: `${unknown.length} service(s) the model does not know were ignored: ${shown}${unknown.length > 5 ? ', …' : ''} (services added since the model was trained join at the next training)`,
    });
  }
  const items = Int32Array.from(weights.keys()).sort();
  const values = Float32Array.from(items, (i) => weights.get(i)!);
  const candidates = filtered?.candidates;
  if (candidates?.length === 0) return { basis: 'popular', items: [], warnings };
  if (items.length > 0 && !loaded.model.recommendFolded) {
    warnings.push({
      code: WarningCode.FOLD_IN_UNSUPPORTED,
      message: `the ${loaded.manifest.kind} model cannot place a new user from their reservations: the list is the most popular services`,
    });
  }
  const { basis, top } = foldedTop(loaded, { items, values }, o.k, candidates);
  return { basis, items: topItems(m, top), warnings };
}

/**
 * Lists for many users at once, without filters: the model's list for known users (and users with `recent`
 * reservations, as in {@link listForUser}), popularity for the others.
 */
export function listsForUsers(m: ServedModel, userIds: readonly string[], k: number, recent?: RecentHistory): ({ user_id: string } & ServedList)[] {
  return userIds.map((userId) => {
    const fresh = recent?.forUser(userId);
    if (!m.loaded.userIndex.has(userId) && fresh === undefined) return { user_id: userId, basis: 'popular', items: popular(m, k), warnings: [] };
    const list = filteredTopForUser(m.loaded, m.catalog, { userId, k, recent: fresh });
    return { user_id: userId, basis: list.basis, items: topItems(m, list.top), warnings: list.warnings };
  });
}
