import type { SearchSpace } from '../core/index.ts';
/** How the item-user matrix is weighted before item-item dot products (implicit's Cosine/TFIDF/BM25/ItemItem recommenders). */
export type ItemKnnWeighting = 'cosine' | 'bm25' | 'tfidf' | 'none';

export interface ItemKnnParams {
  /** Neighbours kept per item. */
  readonly neighbours: number;
  /**
   * 'cosine': L2-normalised item vectors (dot product = cosine). 'tfidf': TF-IDF, then L2-normalised.
   * 'bm25': BM25 (not normalised, as in implicit). 'none': raw values (co-occurrence counts for 0/1 data).
   */
  readonly weighting: ItemKnnWeighting;
  /** BM25 saturation (used only with weighting 'bm25'). */
  readonly k1: number;
  /** BM25 length normalisation in [0, 1] (used only with weighting 'bm25'). */
  readonly b: number;
}

/** 200 cosine neighbours: the setting behind the item-kNN figure in the shared data README; BM25 defaults as implicit's. */
export const itemKnnDefaults: ItemKnnParams = { neighbours: 200, weighting: 'cosine', k1: 1.2, b: 0.75 };

/** Ranges for random search; `log` means sample uniformly in log space. */
export const itemKnnSearchSpace: SearchSpace<ItemKnnParams> = {
  neighbours: { type: 'int', min: 10, max: 1000, log: true },
  weighting: { type: 'categorical', choices: ['cosine', 'bm25', 'tfidf', 'none'] },
  k1: { type: 'float', min: 0.3, max: 3, log: true },
  b: { type: 'float', min: 0, max: 1, log: false },
};
