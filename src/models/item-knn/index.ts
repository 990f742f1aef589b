/** Item-based k-nearest-neighbours: a pure weighting function plus one shared neighbour model. */
export { ItemKnnRecommender } from './item-knn-recommender.ts';
export { itemKnnDefaults, itemKnnSearchSpace, type ItemKnnParams, type ItemKnnWeighting } from './item-knn-params.ts';
export { itemNeighbours, type ItemNeighboursOptions } from './item-neighbours.ts';
export { bm25Weight, type Bm25Options } from './bm25-weight.ts';
export { tfidfWeight } from './tfidf-weight.ts';
