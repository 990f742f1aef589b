import { ValidationError } from '../../shared/index.ts';
import type { CsrMatrix } from './csr.ts';
import { requireFactorsWithin } from './param-checks.ts';
import { checkFactorArtifact, recommendFromFactors, rowNorms, similarItemsFromFactors, type FactorTables } from './factor-model.ts';
import type { FitOptions, FitReport, ModelArtifact, ModelKind, Recommender, RecommendOptions, TopK } from './recommender.ts';

const ARTIFACT_VERSION = 1;

/**
 * What latent-factor models (ALS, BPR) share: scoring by x_u · y_i (+ b_i), top-K, cosine similar items,
 * and the artifact `{ kind, version: 1, params, shapes }` + factor tables (+ item bias). Subclasses train.
 */
export abstract class FactorRecommender<P extends { readonly factors: number }> implements Recommender {
  abstract readonly kind: ModelKind;
  readonly params: P;
  readonly #factorsAsked: boolean;
  #model: FactorTables | undefined;
  #itemNorms: Float32Array | undefined;

  /** `factorsAsked`: the caller chose the factor count (not the default), so {@link checkFactors} holds it to the data. */
  protected constructor(params: P, o: { readonly factorsAsked?: boolean } = {}) {
    this.params = params;
    this.#factorsAsked = o.factorsAsked === true;
  }

  /**
   * Called by `fit` before any work: a factor count the caller asked for must not exceed the users or items.
   * (A default larger than a tiny catalogue is kept, as before: it was not asked for.)
   */
  protected checkFactors(matrix: CsrMatrix): void {
    if (this.#factorsAsked) requireFactorsWithin(`${this.kind.toUpperCase()} factors`, this.params.factors, matrix);
  }

  abstract fit(matrix: CsrMatrix, options?: FitOptions): Promise<FitReport>;

  /** Users × factors, row-major; undefined before fit. Do not modify. */
  get userFactors(): Float32Array | undefined {
    return this.#model?.userFactors;
  }

  /** Items × factors, row-major; undefined before fit. Do not modify. */
  get itemFactors(): Float32Array | undefined {
    return this.#model?.itemFactors;
  }

  recommend(users: Int32Array, options: RecommendOptions): TopK {
    return recommendFromFactors(this.fitted(), users, options);
  }

  /** Cosine of the item factors (a bias, a popularity term, is left out). */
  similarItems(items: Int32Array, k: number): TopK {
    const model = this.fitted();
    this.#itemNorms ??= rowNorms(model.itemFactors, model.items, model.factors);
    return similarItemsFromFactors(model, this.#itemNorms, items, k);
  }

  /** Header `{ kind, version: 1, params, shapes }` plus the factor tables and item bias if any (not copied). */
  toArtifact(): ModelArtifact {
    const model = this.fitted();
    const shapes: Record<string, readonly number[]> = { userFactors: [model.users, model.factors], itemFactors: [model.items, model.factors] };
    const buffers: Record<string, Float32Array> = { userFactors: model.userFactors, itemFactors: model.itemFactors };
    if (model.itemBias) {
      shapes['itemBias'] = [model.items];
      buffers['itemBias'] = model.itemBias;
    }
    return { header: { kind: this.kind, version: ARTIFACT_VERSION, params: { ...this.params }, shapes }, buffers };
  }

  /** Installs fitted (or loaded) tables, dropping what was derived from the previous ones. */
  protected adopt(model: FactorTables): void {
    this.#model = model;
    this.#itemNorms = undefined;
    this.onAdopt();
  }

  /** Hook for subclasses that cache values derived from the factors. */
  protected onAdopt(): void {}

  protected fitted(): FactorTables {
    if (!this.#model) throw new ValidationError(`the ${this.kind} model is not fitted: call fit() or fromArtifact() first`);
    return this.#model;
  }
}

/**
 * Reads a factor model's artifact: checks kind, version, shapes and buffer sizes, resolves the params, and
 * returns the tables for {@link FactorRecommender.adopt}. Throws a ValidationError naming what is inconsistent.
 */
export function readFactorArtifact<P extends { readonly factors: number }>(
  artifact: ModelArtifact,
  expected: { kind: ModelKind; withItemBias: boolean; resolveParams: (raw: Partial<P>) => P },
): { params: P; tables: FactorTables } {
  const names = expected.withItemBias ? ['userFactors', 'itemFactors', 'itemBias'] : ['userFactors', 'itemFactors'];
  const shapes = checkFactorArtifact(artifact, { kind: expected.kind, version: ARTIFACT_VERSION, buffers: names });
  const what = `${expected.kind} artifact`;
  const [users, f] = shapes['userFactors']!;
  const [items, itemCols] = shapes['itemFactors']!;
  if (itemCols !== f) throw new ValidationError(`${what}: userFactors has ${f} columns but itemFactors has ${itemCols}`);
  if (expected.withItemBias && (shapes['itemBias']![0] !== items || artifact.header.shapes['itemBias']!.length !== 1)) {
    throw new ValidationError(`${what}: itemBias must have shape [${items}], got ${JSON.stringify(artifact.header.shapes['itemBias'])}`);
  }
  let params: P;
  try {
    params = expected.resolveParams(artifact.header.params as Partial<P>);
  } catch (error) {
    throw new ValidationError(`${what}: bad params (${error instanceof Error ? error.message : String(error)})`, { cause: error });
  }
  if (params.factors !== f) throw new ValidationError(`${what}: params.factors is ${params.factors} but the factor tables have ${f} columns`);
  const tables: FactorTables = {
    users,
    items,
    factors: f,
    userFactors: artifact.buffers['userFactors'] as Float32Array,
    itemFactors: artifact.buffers['itemFactors'] as Float32Array,
    ...(expected.withItemBias ? { itemBias: artifact.buffers['itemBias'] as Float32Array } : {}),
  };
  return { params, tables };
}

/** A read-only view of factor tables as they are during training ({@link EpochReport.current}). */
export function factorSnapshot(kind: ModelKind, live: FactorTables): Recommender {
  // A fresh view of the item table: scorers cached per table (simd/score-items.ts) then copy its values as
  // they are now, not as they were at an earlier epoch.
  const tables = { ...live, itemFactors: live.itemFactors.subarray(0) };
  return {
    kind,
    fit: () => Promise.reject(new ValidationError(`a ${kind} training snapshot cannot be fitted`)),
    recommend: (users, options) => recommendFromFactors(tables, users, options),
    similarItems: (items, k) => similarItemsFromFactors(tables, rowNorms(tables.itemFactors, tables.items, tables.factors), items, k),
    toArtifact: () => {
      throw new ValidationError(`a ${kind} training snapshot cannot be saved: save the fitted model`);
    },
  };
}
