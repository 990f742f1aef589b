import type { CsrMatrix } from '../core/csr.ts';
import type { FitReport, FoldInInteractions, ModelArtifact, TopK } from '../core/recommender.ts';
import { recommendFromFactors } from '../core/factor-model.ts';
import { ValidationError } from '../../shared/errors.ts';
import { choleskySolve } from './als-exact-solve.ts';
import { addGramRows, createAlsScratch } from './als-kernels.ts';
import { resolveAlsParams, type AlsParams } from './als-params.ts';
import { trainAls, type AlsFitOptions } from './als-trainer.ts';
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
    super(resolveAlsParams(params));
  }

  /** Fits to a users × items matrix of interaction values (confidence c = alpha · value). */
  async fit(matrix: CsrMatrix, options: AlsFitOptions = {}): Promise<FitReport> {
    const { userFactors, itemFactors, report } = await trainAls(matrix, this.params, options);
    this.adopt({ users: matrix.rows, items: matrix.cols, factors: this.params.factors, userFactors, itemFactors });
    return report;
  }

  /**
   * The factor of a user unseen in training, from their interactions: one exact least-squares solve
   * against the fitted item factors, the same equations as a user row of the last half-iteration.
   * No interactions give the zero factor. Scores are then x · y_i like any user's.
   */
  foldIn(interactions: FoldInInteractions): Float32Array {
    const model = this.fitted();
    const { items, values } = interactions;
    const f = model.factors;
    if (items.length !== values.length) throw new ValidationError(`foldIn: ${items.length} items but ${values.length} values`);
    for (let q = 0; q < items.length; q++) {
      const i = items[q]!;
      if (i < 0 || i >= model.items) throw new ValidationError(`foldIn: item id ${i} is out of range [0, ${model.items})`);
    }
    const result = new Float32Array(f);
    if (items.length === 0) return result;
    if (!this.#itemGram) {
      const gram = new Float64Array(f * f);
      addGramRows(model.itemFactors, f, 0, model.items, gram, 0);
      for (let j = 0; j < f; j++) for (let k = 0; k < j; k++) gram[j * f + k] = gram[k * f + j]!;
      this.#itemGram = gram;
    }
    const pref = new Float32Array(items.length);
    const confM1 = new Float32Array(items.length);
    for (let q = 0; q < items.length; q++) {
      const c = this.params.alpha * values[q]!;
      pref[q] = c > 0 ? c : 0;
      confM1[q] = Math.abs(c) - 1;
    }
    const rows = { indptr: Int32Array.of(0, items.length), indices: items, pref, confM1 };
    const scratch = createAlsScratch(f, false);
    if (!choleskySolve(rows, 0, items.length, model.itemFactors, this.#itemGram, this.params.regularization, f, scratch)) {
      throw new ValidationError('foldIn: the least-squares system is singular (regularization 0 with too few items?)');
    }
    result.set(scratch.x);
    return result;
  }

  /**
   * Top k for a user unseen in training, from their interactions: {@link foldIn}, then scored like any user,
   * with the given items excluded (they already have them) and optionally only among `candidates`.
   */
  recommendFolded(interactions: FoldInInteractions, options: { k: number; candidates?: Int32Array }): TopK {
    const model = this.fitted();
    const factor = this.foldIn(interactions);
    const tables = { users: 1, items: model.items, factors: model.factors, userFactors: factor, itemFactors: model.itemFactors };
    const order = Array.from(interactions.items.keys()).sort((a, b) => interactions.items[a]! - interactions.items[b]!);
    const unique = [...new Set(order.map((q) => interactions.items[q]!))];
    const exclude = { rows: 1, cols: model.items, indptr: Int32Array.of(0, unique.length), indices: Int32Array.from(unique), data: new Float32Array(unique.length).fill(1) };
    return recommendFromFactors(tables, Int32Array.of(0), { k: options.k, exclude, ...(options.candidates ? { candidates: options.candidates } : {}) });
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
