import { ValidationError } from '../../shared/index.ts';
import { requireInt, requireNumber } from '../core/param-checks.ts';
import type { SearchSpace } from '../core/search-space.ts';

/**
 * Hyperparameters of implicit-feedback ALS (Hu, Koren & Volinsky 2008), with the conventions of the
 * `implicit` library so that its settings carry over unchanged: the confidence of a non-zero is
 * c = alpha · r (r the CSR value, implicit's `alpha * user_items`), every absent pair has c = 1, p = 0.
 * (The paper's c = 1 + alpha·r differs by 1 per non-zero; implicit's form is kept so that "alpha 10"
 * means the same here as in its published figures.)
 */
export interface AlsParams {
  /** Latent dimension f. */
  readonly factors: number;
  /** λ in Σ c(p − xᵀy)² + λ(Σ‖x‖² + Σ‖y‖²). Not scaled by row counts (as implicit). */
  readonly regularization: number;
  /** Confidence per unit of interaction value: c = alpha · r. */
  readonly alpha: number;
  /** Full ALS iterations (one user half and one item half each). */
  readonly iterations: number;
  /** Conjugate-gradient steps per row per half-iteration (`solver: 'cg'`); implicit uses 3. */
  readonly cgSteps: number;
  /** 'cg': Takács et al. 2011, warm-started, O(f²+nnz·f) per row; 'cholesky': exact solve, O(f³+nnz·f²). */
  readonly solver: 'cg' | 'cholesky';
}

/** implicit's usual settings, as in the anchor figures. */
export const alsDefaults: AlsParams = {
  factors: 64,
  regularization: 0.05,
  alpha: 10,
  iterations: 15,
  cgSteps: 3,
  solver: 'cg',
};

/** Ranges the tuner samples; `cgSteps` and `solver` trade time for exactness and are not tuned. */
export const alsSearchSpace: SearchSpace<AlsParams> = {
  factors: { type: 'int', min: 16, max: 256, log: true, capByMatrix: true },
  regularization: { type: 'float', min: 1e-3, max: 100, log: true },
  alpha: { type: 'float', min: 0.1, max: 100, log: true },
  iterations: { type: 'int', min: 5, max: 50, log: false },
};

/** Defaults overlaid with `params`, every field checked. */
export function resolveAlsParams(params: Partial<AlsParams> = {}): AlsParams {
  const p = { ...alsDefaults, ...params };
  if (p.solver !== 'cg' && p.solver !== 'cholesky') throw new ValidationError(`ALS solver must be 'cg' or 'cholesky', got ${String(p.solver)}`);
  return {
    factors: requireInt('ALS factors', p.factors, 1, 4096),
    regularization: requireNumber('ALS regularization', p.regularization, 0),
    alpha: requireNumber('ALS alpha', p.alpha, 0),
    iterations: requireInt('ALS iterations', p.iterations, 0),
    cgSteps: requireInt('ALS cgSteps', p.cgSteps, 1),
    solver: p.solver,
  };
}
