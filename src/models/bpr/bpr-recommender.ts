import type { CsrMatrix } from '../core/csr.ts';
import type { FitReport, ModelArtifact } from '../core/recommender.ts';
import { FactorRecommender, readFactorArtifact } from '../core/factor-recommender.ts';
import { resolveBprParams, type BprParams } from './bpr-params.ts';
import { trainBpr, type BprFitOptions } from './bpr-trainer.ts';

/**
 * Bayesian Personalised Ranking (Rendle et al. 2009) as the `implicit` library trains it:
 * score(u, i) = x_u · y_i + b_i. Interaction values are ignored (any non-zero is a positive).
 * See bpr-kernel.ts for the update and bpr-trainer.ts for threading and determinism.
 */
export class BprRecommender extends FactorRecommender<BprParams> {
  readonly kind = 'bpr' as const;

  constructor(params: Partial<BprParams> = {}) {
    super(resolveBprParams(params), { factorsAsked: params.factors !== undefined });
  }

  /** One bias per item; undefined before fit. Do not modify. */
  get itemBias(): Float32Array | undefined {
    return this.userFactors === undefined ? undefined : this.fitted().itemBias;
  }

  /** Fits to a users × items matrix; `onEpoch` receives {@link BprEpochReport}s (loss, AUC, skipped share). */
  async fit(matrix: CsrMatrix, options: BprFitOptions = {}): Promise<FitReport> {
    this.checkFactors(matrix);
    const { userFactors, itemFactors, itemBias, report } = await trainBpr(matrix, this.params, options);
    this.adopt({ users: matrix.rows, items: matrix.cols, factors: this.params.factors, userFactors, itemFactors, itemBias });
    return report;
  }

  /** A fitted model from {@link toArtifact}'s output; throws a ValidationError naming what is inconsistent. */
  static fromArtifact(artifact: ModelArtifact): BprRecommender {
    const { params, tables } = readFactorArtifact<BprParams>(artifact, { kind: 'bpr', withItemBias: true, resolveParams: resolveBprParams });
    const model = new BprRecommender(params);
    model.adopt(tables);
    return model;
  }
}
