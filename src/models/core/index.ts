/**
 * Public API of the model core: the CSR matrix, the Recommender contract every model implements, top-K selection,
 * CSR operations, the seeded RNG and the artifact codec. Model folders and evaluation import from here.
 */
export type { CsrMatrix } from './csr.ts';
export type { EpochReport, FitOptions, FitReport, FoldInInteractions, ModelArtifact, ModelKind, RecommendOptions, Recommender, TopK } from './recommender.ts';
export { allocateTopK, selectTopK } from './top-k.ts';
export { candidateIds, checkIds, foldInRow, topKWidth } from './recommend-args.ts';
export {
  columnCounts,
  columnSums,
  csrFromCoo,
  csrRow,
  csrRowSet,
  normalizeRows,
  rowNnz,
  transpose,
  validateCsr,
  type CooInput,
  type DuplicatePolicy,
} from './csr-ops.ts';
export { topItemProducts, type ItemProductsOptions } from './item-products.ts';
export { NeighbourRecommender, readNeighbourArtifact } from './neighbour-recommender.ts';
export { checkArtifactHeader, historyArtifactParts, readHistory } from './csr-artifact.ts';
export { Rng } from './rng.ts';
export { CorruptArtifactError, decodeArtifact, encodeArtifact } from './artifact-codec.ts';
export { fitSpaceToMatrix, type ParamRange, type SearchSpace } from './search-space.ts';
export { csrTimesDense, randomizedSvd, type RandomizedSvdOptions, type TruncatedSvd } from './randomized-svd.ts';
