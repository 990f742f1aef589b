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
  /**
   * λ in Σ c(p − xᵀy)² + Σ_u λ_u‖x_u‖² + Σ_i λ_i‖y_i‖², with λ_u = λ·(|I_u| + α₀·|I|)^ν and λ_i = λ·(|U_i| + α₀·|U|)^ν
   * (frequency-scaled regularisation, Rendle et al. 2021). With ν = 0 (the default) every row gets λ, not scaled
   * by row counts (as implicit).
   */
  readonly regularization: number;
  /** Confidence per unit of interaction value: c = alpha · r. */
  readonly alpha: number;
  /** Full ALS iterations (one user half and one item half each). */
  readonly iterations: number;
  /** Conjugate-gradient steps per row per half-iteration (`solver: 'cg'`); implicit uses 3. */
  readonly cgSteps: number;
  /**
   * ν, the exponent of the frequency scaling of λ (see `regularization`): 0 = one λ for every row (implicit's form),
   * 1 = Rendle et al. 2021's iALS, where a row's λ grows with its non-zeros and with α₀ times the other side's count.
   */
  readonly regExponent: number;
  /**
   * α₀, the weight of every absent pair (p = 0) in the objective, i.e. of the all-items Gram term: implicit's ALS
   * fixes it at 1 (the default). Rendle et al. 2021 tune it (small values: absent pairs count for less).
   */
  readonly unobservedWeight: number;
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
  regExponent: 0,
  unobservedWeight: 1,
};

/** Ranges the tuner samples; `cgSteps` and `solver` trade time for exactness and are not tuned. */
export const alsSearchSpace: SearchSpace<AlsParams> = {
  factors: { type: 'int', min: 16, max: 256, log: true, capByMatrix: true },
  regularization: { type: 'float', min: 1e-3, max: 100, log: true },
  alpha: { type: 'float', min: 0.1, max: 100, log: true },
  iterations: { type: 'int', min: 5, max: 50, log: false },
};

/**
 * {@link alsSearchSpace} plus iALS revisited's two dimensions (Rendle et al. 2021): ν ∈ [0, 1] and α₀ log-uniform in
 * [0.01, 10]. With ν near 1, λ multiplies row counts n + α₀·(other side), so the useful λ then sit at the low end
 * of its range, with small α₀. Not the default search: on the development data it found no better validation
 * score than the four-dimensional space, and in short searches (8 trials) its extra dimensions cost accuracy
 * (BENCHMARKS.md, "iALS revisited"). A search can be given it explicitly.
 */
export const alsRevisitedSearchSpace: SearchSpace<AlsParams> = {
  ...alsSearchSpace,
  regExponent: { type: 'float', min: 0, max: 1, log: false },
  unobservedWeight: { type: 'float', min: 0.01, max: 10, log: true },
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
    regExponent: requireNumber('ALS regExponent', p.regExponent, 0, 4),
    unobservedWeight: requireNumber('ALS unobservedWeight', p.unobservedWeight, 0),
  };
}
