/** EASE (Steck 2019): closed-form item-item ridge regression with a zero diagonal, dense in the items. */
export { EaseRecommender } from './ease-recommender.ts';
export { easeDefaults, easeSearchSpace, EASE_ITEM_CEILING, type EaseParams } from './ease-params.ts';
export { easeWeights, type EaseWeights, type EaseWeightsOptions } from './ease-weights.ts';
