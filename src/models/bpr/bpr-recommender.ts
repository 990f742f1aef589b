import type { CsrMatrix } from '../core/csr.ts';
import type { FitOptions, FitReport, ModelArtifact, Recommender, RecommendOptions, TopK } from '../core/recommender.ts';
import { ValidationError } from '../../shared/errors.ts';
import { checkFactorArtifact, recommendFromFactors, rowNorms, similarItemsFromFactors, type FactorTables } from '../core/factor-model.ts';
import { resolveBprParams, type BprParams } from './bpr-params.ts';
import { trainBpr } from './bpr-trainer.ts';

const ARTIFACT_VERSION = 1;

/**
 * Bayesian Personalised Ranking (Rendle et al. 2009) as the `implicit` library trains it:
 * score(u, i) = x_u · y_i + b_i. Interaction values are ignored (any non-zero is a positive).
 * See bpr-kernel.ts for the update and bpr-trainer.ts for threading and determinism.
 */
export class BprRecommender implements Recommender {
  readonly kind = 'bpr' as const;
  readonly params: BprParams;
  #model: (FactorTables & { readonly itemBias: Float32Array }) | undefined;
  #itemNorms: Float32Array | undefined;

  constructor(params: Partial<BprParams> = {}) {
    this.params = resolveBprParams(params);
  }

  /** Users × factors, row-major; undefined before fit. Do not modify. */
  get userFactors(): Float32Array | undefined {
    return this.#model?.userFactors;
  }

  /** Items × factors, row-major; undefined before fit. Do not modify. */
  get itemFactors(): Float32Array | undefined {
    return this.#model?.itemFactors;
  }

  /** One bias per item; undefined before fit. Do not modify. */
  get itemBias(): Float32Array | undefined {
    return this.#model?.itemBias;
  }

  /** Fits to a users × items matrix; `onEpoch` receives {@link BprEpochReport}s (loss, AUC, skipped share). */
  async fit(matrix: CsrMatrix, options: FitOptions = {}): Promise<FitReport> {
    const { userFactors, itemFactors, itemBias, report } = await trainBpr(matrix, this.params, options);
    this.#adopt({ users: matrix.rows, items: matrix.cols, factors: this.params.factors, userFactors, itemFactors, itemBias });
    return report;
  }

  recommend(users: Int32Array, options: RecommendOptions): TopK {
    return recommendFromFactors(this.#fitted(), users, options);
  }

  /** Cosine of the item factors (the bias, a popularity term, is left out). */
  similarItems(items: Int32Array, k: number): TopK {
    const model = this.#fitted();
    this.#itemNorms ??= rowNorms(model.itemFactors, model.items, model.factors);
    return similarItemsFromFactors(model, this.#itemNorms, items, k);
  }

  /** Header `{ kind: 'bpr', version: 1, params, shapes }` plus the factor tables and item bias (not copied). */
  toArtifact(): ModelArtifact {
    const model = this.#fitted();
    return {
      header: {
        kind: 'bpr',
        version: ARTIFACT_VERSION,
        params: { ...this.params },
        shapes: { userFactors: [model.users, model.factors], itemFactors: [model.items, model.factors], itemBias: [model.items] },
      },
      buffers: { userFactors: model.userFactors, itemFactors: model.itemFactors, itemBias: model.itemBias },
    };
  }

  /** A fitted model from {@link toArtifact}'s output; throws a ValidationError naming what is inconsistent. */
  static fromArtifact(artifact: ModelArtifact): BprRecommender {
    const shapes = checkFactorArtifact(artifact, { kind: 'bpr', version: ARTIFACT_VERSION, buffers: ['userFactors', 'itemFactors', 'itemBias'] });
    const [users, f] = shapes.userFactors!;
    const [items, itemCols] = shapes.itemFactors!;
    if (itemCols !== f) throw new ValidationError(`bpr artifact: userFactors has ${f} columns but itemFactors has ${itemCols}`);
    if (shapes.itemBias![0] !== items || artifact.header.shapes.itemBias!.length !== 1) {
      throw new ValidationError(`bpr artifact: itemBias must have shape [${items}], got ${JSON.stringify(artifact.header.shapes.itemBias)}`);
    }
    let params: BprParams;
    try {
      params = resolveBprParams(artifact.header.params as Partial<BprParams>);
    } catch (error) {
      throw new ValidationError(`bpr artifact: bad params (${error instanceof Error ? error.message : String(error)})`, { cause: error });
    }
    if (params.factors !== f) throw new ValidationError(`bpr artifact: params.factors is ${params.factors} but the factor tables have ${f} columns`);
    const model = new BprRecommender(params);
    model.#adopt({
      users,
      items,
      factors: f,
      userFactors: artifact.buffers.userFactors as Float32Array,
      itemFactors: artifact.buffers.itemFactors as Float32Array,
      itemBias: artifact.buffers.itemBias as Float32Array,
    });
    return model;
  }

  #adopt(model: FactorTables & { readonly itemBias: Float32Array }): void {
    this.#model = model;
    this.#itemNorms = undefined;
  }

  #fitted(): FactorTables & { readonly itemBias: Float32Array } {
    if (!this.#model) throw new ValidationError('the BPR model is not fitted: call fit() or BprRecommender.fromArtifact() first');
    return this.#model;
  }
}
