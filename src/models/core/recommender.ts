import type { CsrMatrix } from './csr.ts';

/** Every model family pickwise trains. */
export type ModelKind = 'popular' | 'item-knn' | 'als' | 'bpr' | 'ease' | 'rp3beta' | 'gf-cf';

/**
 * Top-K results for a batch of queries: row q's ids are `ids[q*k .. q*k+k)`, best first (scores non-increasing,
 * finite), each id at most once; rows with fewer results end in -1 ids with score -Infinity.
 */
export interface TopK {
  /** The row width: the requested k clipped to how many results can exist (see {@link Recommender}). */
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

/**
 * One interface for every model: batch-first, dense int ids, pure computation (no I/O). Ids are the dense ids of
 * the matrix the model was fitted on: users in [0, users), items in [0, items).
 *
 * Every model behaves alike on bad input (the contract suite, recommender.contract.ts, checks each one), always
 * with a ValidationError:
 * - before `fit` (or `fromArtifact`): `recommend`, `similarItems`, `toArtifact` and `recommendFolded` throw "… not fitted";
 * - `k` not a positive integer: "k must be a positive integer";
 * - a user id outside [0, users): "user id U is out of range";
 * - an item id outside [0, items) in `similarItems`' queries, in `candidates` or in a fold-in history:
 *   "item id I is out of range" / "candidate item id I is out of range";
 * - `fit` on a malformed matrix (see validateCsr).
 * A k larger than the catalogue is not an error: the TopK's width is clipped to the items (one fewer for
 * `similarItems`, which never returns the query item). Ids beyond the items in an `exclude` row are ignored.
 */
export interface Recommender {
  readonly kind: ModelKind;
  fit(matrix: CsrMatrix, options?: FitOptions): Promise<FitReport>;
  /**
   * Each user's best items, those in the user's row of `exclude` left out; with `candidates`, only among them
   * (in the order the unrestricted ranking gives them). Width min(k, items).
   */
  recommend(users: Int32Array, options: RecommendOptions): TopK;
  /** Per query item, the most similar other items (never the item itself). Width min(k, items − 1). */
  similarItems(items: Int32Array, k: number): TopK;
  toArtifact(): ModelArtifact;
  /**
   * Optional capability (fold-in): top k for a user unseen in training, from their interactions, the items they
   * interacted with excluded; scored as the model scores a training user with that history. Models that cannot
   * place a new user leave it undefined; callers test for it. Width min(k, items).
   */
  recommendFolded?(interactions: FoldInInteractions, options: { k: number; candidates?: Int32Array }): TopK;
}
