import { topItemProducts, transpose, type CsrMatrix } from '../core/index.ts';

export interface ItemNeighboursOptions {
  /** Neighbours kept per item (the N most similar, by similarity). */
  readonly neighbours: number;
  /** Checked every few hundred items, so a long computation can be cancelled. */
  readonly signal?: AbortSignal;
}

/**
 * Item-item similarity sim(i, j) = Σ_u w(i,u) · w(j,u) = (W Wᵀ)(i, j) over a weighted item-user matrix W
 * (items × users), keeping for each item its `neighbours` most similar other items with a positive similarity.
 * With W's rows L2-normalised this is cosine similarity (Sarwar et al., "Item-based collaborative filtering
 * recommendation algorithms", WWW 2001).
 *
 * The sparse products of `topItemProducts` (as implicit's `all_pairs_knn`). Unlike implicit, an item is never its
 * own neighbour. Returns an items × items CSR matrix: row i holds i's neighbours (column indices sorted) and their
 * similarities.
 */
export function itemNeighbours(weighted: CsrMatrix, options: ItemNeighboursOptions): CsrMatrix {
  const { neighbours, signal } = options;
  return topItemProducts({ itemUsers: weighted, userItems: transpose(weighted), neighbours, ...(signal ? { signal } : {}) });
}
