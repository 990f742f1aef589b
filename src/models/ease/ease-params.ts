import { requireInt, requireNumber } from '../core/param-checks.ts';
import type { SearchSpace } from '../core/search-space.ts';

/** Items above which the dense n × n workspace (n² float32 plus the n² result) would not fit WebAssembly's 4 GiB memory. */
export const EASE_ITEM_CEILING = 30_000;

/** Hyperparameters of EASE (Steck 2019). */
export interface EaseParams {
  /** λ, the L2 penalty on B: added to the diagonal of XᵀX. */
  readonly lambda: number;
  /**
   * The largest catalogue `fit` accepts. EASE is dense in the items (n² memory, n³ flops), so larger catalogues
   * are refused before any work, naming the sparse alternatives.
   */
  readonly maxItems: number;
}

/**
 * λ = 300: Steck reports λ in the hundreds for ML-20M and Netflix (λ grows with the number of users); the search
 * below on the development data's validation split (30 trials) chose 314, rounded here. maxItems = 10 000: at
 * that size each n² float32 matrix is 0.37 GiB (the workspace and B: about 0.75 GiB at peak, B alone in the
 * artifact) and the inverse is n³ = 10¹² flops, two to three minutes on two cores (see BENCHMARKS.md, "EASE").
 */
export const easeDefaults: EaseParams = { lambda: 300, maxItems: 10_000 };

/** λ log-uniform over four decades; maxItems is a resource limit, not tuned. */
export const easeSearchSpace: SearchSpace<EaseParams> = {
  lambda: { type: 'float', min: 1, max: 10_000, log: true },
};

/** Defaults overlaid with `params`, every field checked. */
export function resolveEaseParams(params: Partial<EaseParams> = {}): EaseParams {
  const p = { ...easeDefaults, ...params };
  return {
    lambda: requireNumber('EASE lambda', p.lambda, Number.MIN_VALUE),
    maxItems: requireInt('EASE maxItems', p.maxItems, 1, EASE_ITEM_CEILING),
  };
}
