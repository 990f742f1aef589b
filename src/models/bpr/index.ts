export { BprRecommender } from './bpr-recommender.ts';
export { bprDefaults, bprSearchSpace, type BprParams } from './bpr-params.ts';
export type { BprEpochReport } from './bpr-trainer.ts';
