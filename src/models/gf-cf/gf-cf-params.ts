import { ValidationError } from '../../shared/index.ts';
import { requireInt, requireNumber } from '../core/param-checks.ts';
import type { SearchSpace } from '../core/search-space.ts';

/** How interaction values enter the filters: as 1 for every non-zero (the paper's 0/1 matrix), or as given. */
export type GfCfValues = 'binary' | 'weighted';

/** Hyperparameters of GF-CF (Shen et al. 2021): the linear filter plus α times the ideal low-pass filter of rank k. */
export interface GfCfParams {
  /** k: right singular vectors of the normalised matrix kept by the ideal low-pass filter (≤ min(users, items)). */
  readonly rank: number;
  /** α: weight of the ideal low-pass filter against the linear filter (0: the linear filter alone). */
  readonly alpha: number;
  /** Power iterations of the randomized SVD (more: closer to the exact top-k subspace, each one two more sparse products). */
  readonly powerIterations: number;
  /** 'binary': every non-zero counts 1 (as in the paper); 'weighted': the matrix's values (repeats, ratings) are kept. */
  readonly values: GfCfValues;
}

/**
 * The paper's settings for Gowalla and Yelp2018 (k = 256, α = 0.3) on its 0/1 matrices, meant for tens of
 * thousands of users. The small development set's validation split prefers a far smaller rank (56, α 0.15,
 * weighted values; BENCHMARKS.md, "GF-CF"): tune on small data. Two power iterations (not tuned).
 */
export const gfCfDefaults: GfCfParams = { rank: 256, alpha: 0.3, powerIterations: 2, values: 'binary' };

/**
 * Ranges the tuner samples; `powerIterations` trades time for exactness and is not tuned. Rank stops at the
 * paper's 256: the SVD's cost grows with its square (orthonormalisation) and cube (the projected eigenproblem).
 */
export const gfCfSearchSpace: SearchSpace<GfCfParams> = {
  rank: { type: 'int', min: 8, max: 256, log: true, capByMatrix: true },
  alpha: { type: 'float', min: 0.01, max: 10, log: true },
  values: { type: 'categorical', choices: ['binary', 'weighted'] },
};

/** Defaults overlaid with `params`, every field checked. */
export function resolveGfCfParams(params: Partial<GfCfParams> = {}): GfCfParams {
  const p = { ...gfCfDefaults, ...params };
  if (p.values !== 'binary' && p.values !== 'weighted') throw new ValidationError(`GF-CF values must be 'binary' or 'weighted', got ${String(p.values)}`);
  return {
    rank: requireInt('GF-CF rank', p.rank, 1, 65_536),
    alpha: requireNumber('GF-CF alpha', p.alpha, 0),
    powerIterations: requireInt('GF-CF powerIterations', p.powerIterations, 0, 100),
    values: p.values,
  };
}
