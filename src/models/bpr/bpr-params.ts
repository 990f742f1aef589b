import { requireInt, requireNumber } from '../core/param-checks.ts';
import type { SearchSpace } from '../core/search-space.ts';

/**
 * Hyperparameters of Bayesian Personalised Ranking (Rendle et al. 2009) trained by SGD as the
 * `implicit` library does: per epoch, nnz samples (u, i, j) of a random non-zero (u, i) and a uniformly
 * drawn item j that u has not interacted with.
 */
export interface BprParams {
  /** Latent dimension f (an item bias comes on top). */
  readonly factors: number;
  /** SGD step size η. */
  readonly learningRate: number;
  /** L2 penalty λ applied in every update (not scaled by frequency, as implicit). */
  readonly regularization: number;
  /** Epochs of nnz samples each. */
  readonly iterations: number;
}

/** implicit's settings of the anchor figures (64 factors, lr 0.01, reg 0.01, 100 epochs). */
export const bprDefaults: BprParams = {
  factors: 64,
  learningRate: 0.01,
  regularization: 0.01,
  iterations: 100,
};

export const bprSearchSpace: SearchSpace<BprParams> = {
  factors: { type: 'int', min: 16, max: 256, log: true, capByMatrix: true },
  learningRate: { type: 'float', min: 1e-3, max: 0.3, log: true },
  regularization: { type: 'float', min: 1e-4, max: 1, log: true },
  iterations: { type: 'int', min: 10, max: 300, log: true },
};

/** Defaults overlaid with `params`, every field checked. */
export function resolveBprParams(params: Partial<BprParams> = {}): BprParams {
  const p = { ...bprDefaults, ...params };
  return {
    factors: requireInt('BPR factors', p.factors, 1, 4096),
    learningRate: requireNumber('BPR learningRate', p.learningRate, 0),
    regularization: requireNumber('BPR regularization', p.regularization, 0),
    iterations: requireInt('BPR iterations', p.iterations, 0),
  };
}
