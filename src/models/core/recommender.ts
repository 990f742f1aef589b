import type { CsrMatrix } from './csr.ts';

/** Every model family pickwise trains. */
export type ModelKind = 'popular' | 'item-knn' | 'als' | 'bpr';

/** Top-K results for a batch of queries: row q's ids are `ids[q*k .. q*k+k)`, best first; -1 pads short rows. */
export interface TopK {
  readonly k: number;
  readonly ids: Int32Array;
  readonly scores: Float32Array;
}

export interface EpochReport {
  /** 1-based. */
  readonly epoch: number;
  readonly seconds: number;
  /** The training objective where the model computes one (ALS loss, BPR sampled loss). */
  readonly loss?: number;
  /**
   * The model as it stands after this epoch, for scoring a validation set (pruning poor hyperparameters early).
   * Valid only during the callback: it reads the tables that training keeps updating.
   */
  readonly current?: () => Recommender;
}

export interface FitOptions {
  /** Seed of the model's random initialisation and sampling. Same seed and threads → same model. */
  readonly seed?: number;
  /** Worker threads to use (default: available cores). */
  readonly threads?: number;
  readonly signal?: AbortSignal;
  /** Called after each iteration/epoch; returning `false` stops training early (pruning). */
  readonly onEpoch?: (report: EpochReport) => void | boolean;
  /**
   * Side information: each user's region (any non-negative id; -1 when unknown), indexed like the matrix rows.
   * Used by models that rank within a region (popularity with `scope: 'region'`); others ignore it.
   */
  readonly userRegions?: Int32Array;
}

export interface FitReport {
  readonly epochs: number;
  readonly seconds: number;
  readonly stoppedEarly: boolean;
}

export interface RecommendOptions {
  readonly k: number;
  /** Items not to recommend per user (usually the training matrix: what they already reserved). Rows align with `users`' ids. */
  readonly exclude?: CsrMatrix;
  /** Restrict to these items (category/region filters). */
  readonly candidates?: Int32Array;
}

/** A serialised model: a small JSON header plus raw typed-array blocks (see artifact-codec). */
export interface ModelArtifact {
  readonly header: {
    readonly kind: ModelKind;
    readonly version: number;
    readonly params: Readonly<Record<string, unknown>>;
    readonly shapes: Readonly<Record<string, readonly number[]>>;
  };
  readonly buffers: Readonly<Record<string, Float32Array | Int32Array>>;
}

/** A user the model was not trained on, as their interactions: item ids and their values (as in the CSR). */
export interface FoldInInteractions {
  readonly items: Int32Array;
  readonly values: Float32Array;
}

/** One interface for every model: batch-first, dense int ids, pure computation (no I/O). */
export interface Recommender {
  readonly kind: ModelKind;
  fit(matrix: CsrMatrix, options?: FitOptions): Promise<FitReport>;
  recommend(users: Int32Array, options: RecommendOptions): TopK;
  similarItems(items: Int32Array, k: number): TopK;
  toArtifact(): ModelArtifact;
  /**
   * Optional capability (fold-in): top k for a user unseen in training, from their interactions, the items they
   * interacted with excluded. Models that cannot place a new user leave it undefined; callers test for it.
   */
  recommendFolded?(interactions: FoldInInteractions, options: { k: number; candidates?: Int32Array }): TopK;
}
