import type { CsrMatrix } from '../core/csr.ts';
import type { FitReport, FoldInInteractions, ModelArtifact, TopK } from '../core/recommender.ts';
import { recommendFromFactors } from '../core/factor-model.ts';
import { foldInRow } from '../core/recommend-args.ts';
import { ValidationError } from '../../shared/index.ts';
import { choleskySolve } from './als-exact-solve.ts';
import { addGramRows, createAlsScratch, scaledRegularization } from './als-kernels.ts';
import { resolveAlsParams, type AlsParams } from './als-params.ts';
import { confidenceRows, trainAls, type AlsFitOptions } from './als-trainer.ts';
import { FactorRecommender, readFactorArtifact } from '../core/factor-recommender.ts';

/**
 * Implicit-feedback matrix factorisation by alternating least squares (Hu, Koren & Volinsky 2008) with
 * the conjugate-gradient row solver of Takács et al. 2011, as the `implicit` library fits it.
 * score(u, i) = x_u · y_i. See als-params.ts for the hyperparameters and als-trainer.ts for threading.
 */
export class AlsRecommender extends FactorRecommender<AlsParams> {
  readonly kind = 'als' as const;
  #itemGram: Float64Array | undefined;

  constructor(params: Partial<AlsParams> = {}) {
    super(resolveAlsParams(params), { factorsAsked: params.factors !== undefined });
  }

  /** Fits to a users × items matrix of interaction values (confidence c = alpha · value). */
  async fit(matrix: CsrMatrix, options: AlsFitOptions = {}): Promise<FitReport> {
    this.checkFactors(matrix);
    const { userFactors, itemFactors, report } = await trainAls(matrix, this.params, options);
    this.adopt({ users: matrix.rows, items: matrix.cols, factors: this.params.factors, userFactors, itemFactors });
    return report;
  }

  /**
   * The factor of a user unseen in training, from their interactions: one exact least-squares solve
   * against the fitted item factors, the same equations as a user row of the last half-iteration (with α₀ and
   * the user's own frequency-scaled λ).
   * No interactions give the zero factor. Scores are then x · y_i like any user's.
   */
  foldIn(interactions: FoldInInteractions): Float32Array {
    return this.#solveFolded(foldInRow(interactions, this.fitted().items));
  }

  /**
   * Top k for a user unseen in training, from their interactions: {@link foldIn}, then scored like any user,
   * with the given items excluded (they already have them) and optionally only among `candidates`.
   */
  recommendFolded(interactions: FoldInInteractions, options: { k: number; candidates?: Int32Array }): TopK {
    const model = this.fitted();
    const row = foldInRow(interactions, model.items);
    const tables = { users: 1, items: model.items, factors: model.factors, userFactors: this.#solveFolded(row), itemFactors: model.itemFactors };
    return recommendFromFactors(tables, Int32Array.of(0), { k: options.k, exclude: row, ...(options.candidates ? { candidates: options.candidates } : {}) });
  }

  /** The exact least-squares factor of a one-row interaction matrix (see {@link foldIn}). */
  #solveFolded(row: CsrMatrix): Float32Array {
    const model = this.fitted();
    const f = model.factors;
    const n = row.indices.length;
    const result = new Float32Array(f);
    if (n === 0) return result;
    const { unobservedWeight, regExponent, regularization } = this.params;
    if (!this.#itemGram) {
      const gram = new Float64Array(f * f);
      addGramRows(model.itemFactors, f, 0, model.items, gram, 0);
      for (let j = 0; j < f; j++) for (let k = 0; k < j; k++) gram[j * f + k] = gram[k * f + j]!;
      if (unobservedWeight !== 1) for (let q = 0; q < f * f; q++) gram[q] = gram[q]! * unobservedWeight;
      this.#itemGram = gram;
    }
    const rows = confidenceRows(row, this.params, false);
    const lambda =
      regExponent === 0
        ? regularization
        : scaledRegularization(row.indptr, { regularization, exponent: regExponent, unobservedWeight, others: model.items }, new Float64Array(1))[0]!;
    const scratch = createAlsScratch(f, false);
    if (!choleskySolve(rows, 0, n, model.itemFactors, this.#itemGram, lambda, f, scratch)) {
      throw new ValidationError('foldIn: the least-squares system is singular (regularization 0 with too few items?)');
    }
    result.set(scratch.x);
    return result;
  }

  /** A fitted model from {@link toArtifact}'s output; throws a ValidationError naming what is inconsistent. */
  static fromArtifact(artifact: ModelArtifact): AlsRecommender {
    const { params, tables } = readFactorArtifact<AlsParams>(artifact, { kind: 'als', withItemBias: false, resolveParams: resolveAlsParams });
    const model = new AlsRecommender(params);
    model.adopt(tables);
    return model;
  }

  protected override onAdopt(): void {
    this.#itemGram = undefined;
  }
}
