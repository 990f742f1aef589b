export { AlsRecommender, type FoldInInteractions } from './als-recommender.ts';
export { alsDefaults, alsSearchSpace, type AlsParams } from './als-params.ts';
export type { AlsFitOptions } from './als-trainer.ts';
export { ModelFitError } from './internal/errors.ts';
export type { ParamRange, SearchSpace } from './internal/search-space.ts';
