/** Popularity baseline: one ranking by training popularity for everyone. */
export { PopularRecommender, popularDefaults, popularSearchSpace, type PopularParams } from './popular-recommender.ts';
