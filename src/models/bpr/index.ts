export { BprRecommender } from './bpr-recommender.ts';
export { bprDefaults, bprSearchSpace, type BprParams } from './bpr-params.ts';
export type { BprEpochReport, BprFitOptions } from './bpr-trainer.ts';
