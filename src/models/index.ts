/**
 * Public API of the models stage: the model core (CSR matrices, the Recommender contract, top-K, artifacts), the
 * catalog of model kinds (constructors, defaults, search spaces) and each model family. Other stages import
 * models from here only.
 */
export * from './core/index.ts';
export { createRecommender, isModelKind, MODEL_CATALOG, MODEL_KINDS, recommenderFromArtifact, resolvedParams } from './catalog.ts';
export { artifactBytes, scoreBatches, startRecommendHelper, type RecommendHelper, type RecommendHelperData } from './recommend-helper.ts';
export * from './popular/index.ts';
export * from './item-knn/index.ts';
export * from './als/index.ts';
export * from './bpr/index.ts';
export * from './rp3beta/index.ts';
export * from './gf-cf/index.ts';
