/** GF-CF: graph filters (linear + ideal low-pass on a randomized SVD) for large catalogues. */
export { GfCfRecommender } from './gf-cf-recommender.ts';
export { gfCfDefaults, gfCfSearchSpace, type GfCfParams, type GfCfValues } from './gf-cf-params.ts';
export { buildFilters, FilterScorer, type GfCfFilters } from './gf-cf-filters.ts';
