export { AlsRecommender } from './als-recommender.ts';
export { alsDefaults, alsSearchSpace, alsRevisitedSearchSpace, type AlsParams } from './als-params.ts';
export type { AlsFitOptions } from './als-trainer.ts';
