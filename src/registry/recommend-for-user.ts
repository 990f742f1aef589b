import type { FoldInInteractions, TopK } from '../models/index.ts';
import { foldedTop, recommendWithout, withTrainedRow } from './folded-top.ts';
import { NotFoundError, ValidationError, quoteInput } from '../shared/index.ts';
import type { LoadedModel } from './loaded-model.ts';
import { WarningCode, type RecommendationWarning } from './recommendation-warnings.ts';
import type { ServiceCatalog, ServiceFilter, ServiceLabel } from './service-catalog.ts';

/** What a user's list is based on: the model, or popularity for a user without reservations in its data. */
export type RecommendationBasis = 'model' | 'popular';

export interface Recommendation {
  readonly rank: number;
  readonly serviceId: string;
  readonly score: number;
}

/** A recommendation with the service's name and category beside its id. */
export type LabelledRecommendation = Recommendation & ServiceLabel;

/**
 * Top k for one known user, already-reserved services excluded, optionally only among `candidates`. A user the
 * model knows without any weighted reservation (registered only, or every booking canceled) gets the most
 * popular services instead, with basis 'popular'. Unknown users are a NotFoundError (documented).
 */
export function recommendForUser(
  loaded: LoadedModel,
  userId: string,
  k: number,
  candidates?: Int32Array,
  options: ListOptions = {},
): { basis: RecommendationBasis; recommendations: Recommendation[] } {
  const { basis, top } = topForUser(loaded, userId, k, candidates, options);
  return { basis, recommendations: toRecommendations(loaded, top, 0) };
}

/** What a list adds to the model's data: the user's reservations since it was trained (see RecentHistory). */
export interface ListOptions {
  /** Leave out what the user has reserved (default true); false lists the trained row's ranking as is. */
  readonly excludeSeen?: boolean;
  /** The user's reservations newer than the model's data, as its dense items and weights. */
  readonly recent?: FoldInInteractions | undefined;
}

/**
 * {@link recommendForUser} as dense ids and scores (one row), for callers that label the ids themselves. With
 * `recent` reservations (and excludeSeen), a known user's list is the model's fold-in of their trained row plus
 * them, every reserved service excluded; a model without fold-in keeps its list without the recent services
 * (refilled to k). A user the model does not know who has recent reservations gets the fold-in list (basis
 * 'model'), or popularity without them; without any, an unknown user is a NotFoundError (documented).
 */
export function topForUser(
  loaded: LoadedModel,
  userId: string,
  k: number,
  candidates?: Int32Array,
  options: ListOptions = {},
): { basis: RecommendationBasis; top: TopK } {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k must be a positive integer, got ${k}`);
  const dense = loaded.userIndex.get(userId);
  const recent = options.recent !== undefined && options.recent.items.length > 0 ? options.recent : undefined;
  if (dense === undefined) {
    if (recent) return foldedTop(loaded, recent, k, candidates);
    throw new NotFoundError(
      `user '${userId}' is not in the model trained ${loaded.manifest.trainedAt}: users get personal recommendations after their first reservations are ingested and the model is retrained`,
    );
  }
  const basis = hasHistory(loaded, dense) ? 'model' : 'popular';
  const model = basis === 'model' ? loaded.model : loaded.fallback;
  const kk = Math.min(k, loaded.itemIds.length);
  const restrict = candidates ? { candidates } : {};
  if (options.excludeSeen === false) return { basis, top: model.recommend(Int32Array.of(dense), { k: kk, ...restrict }) };
  if (recent && loaded.model.recommendFolded) return foldedTop(loaded, withTrainedRow(loaded, dense, recent), k, candidates);
  if (recent) return { basis, top: recommendWithout(model, dense, { k: kk, exclude: loaded.seen, ...restrict }, recent.items) };
  return { basis, top: model.recommend(Int32Array.of(dense), { k: kk, exclude: loaded.seen, ...restrict }) };
}

/**
 * A known user's top k through a category/region filter, with warnings when the filter names something
 * unknown, matches nothing, or leaves nothing the user has not reserved: what `pickwise recommend --user`
 * and the API's user route answer (each labels the ids in its own shape).
 */
export function filteredTopForUser(
  loaded: LoadedModel,
  catalog: ServiceCatalog,
  o: { userId: string; k: number; filter?: ServiceFilter } & ListOptions,
): { basis: RecommendationBasis; top: TopK; warnings: RecommendationWarning[] } {
  const filtered = isFilter(o.filter) ? catalog.filter(o.filter) : undefined;
  const { basis, top } = topForUser(loaded, o.userId, o.k, filtered?.candidates, { excludeSeen: o.excludeSeen ?? true, recent: o.recent });
  const warnings = [...(filtered?.warnings ?? [])];
  if (top.ids[0]! < 0 && warnings.length === 0) {
    warnings.push({
      code: WarningCode.NOTHING_LEFT,
      message: `user ${quoteInput(o.userId)} has already reserved every service ${filtered ? 'the filter allows' : 'the model knows'}`,
    });
  }
  return { basis, top, warnings };
}

/** {@link filteredTopForUser} as recommendations with each service's name and category beside its id. */
export function labelledListForUser(
  loaded: LoadedModel,
  catalog: ServiceCatalog,
  o: { userId: string; k: number; filter?: ServiceFilter } & ListOptions,
): { basis: RecommendationBasis; recommendations: LabelledRecommendation[]; warnings: RecommendationWarning[] } {
  const { basis, top, warnings } = filteredTopForUser(loaded, catalog, o);
  const recommendations: LabelledRecommendation[] = [];
  for (let r = 0; r < top.k && top.ids[r]! >= 0; r++) {
    const item = top.ids[r]!;
    const { name, category } = catalog.label(item);
    recommendations.push({ rank: r + 1, serviceId: loaded.itemIds[item]!, name, category, score: top.scores[r]! });
  }
  return { basis, recommendations, warnings };
}

/** Whether a filter restricts anything. */
export function isFilter(filter: ServiceFilter | undefined): filter is ServiceFilter {
  return filter !== undefined && (filter.category !== undefined || filter.region !== undefined);
}

/** Whether the model's data holds any weighted reservation of dense user `user`. */
export function hasHistory(loaded: LoadedModel, user: number): boolean {
  return user < loaded.seen.rows && loaded.seen.indptr[user + 1]! > loaded.seen.indptr[user]!;
}

/** Row `row` of a TopK as ranked recommendations (external ids), up to its first padding id. */
export function toRecommendations(loaded: LoadedModel, top: TopK, row: number): Recommendation[] {
  const out: Recommendation[] = [];
  const offset = row * top.k;
  for (let r = 0; r < top.k; r++) {
    const item = top.ids[offset + r]!;
    if (item < 0) break;
    out.push({ rank: r + 1, serviceId: loaded.itemIds[item]!, score: top.scores[offset + r]! });
  }
  return out;
}
