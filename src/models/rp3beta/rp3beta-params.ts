import { ValidationError } from '../../shared/index.ts';
import { requireInt, requireNumber } from '../core/param-checks.ts';
import type { SearchSpace } from '../core/search-space.ts';

/** How the rows of the transition matrix W are scaled after the top-K cut: 'none', or 'l1' (each row sums to 1). */
export type Rp3betaNormalization = 'none' | 'l1';

/** Hyperparameters of RP3beta (Paudel et al. 2017; as in Dacrema et al. 2019's reference code). */
export interface Rp3betaParams {
  /** α: every transition probability is raised to this power (1 = the plain random walk; below 1 flattens it). */
  readonly alpha: number;
  /** β: the walk's arrival at item j is divided by popularity(j)^β (0 = P³α, no popularity penalty). */
  readonly beta: number;
  /** Neighbours kept per item (Dacrema's `topK`). */
  readonly neighbours: number;
  /** 'l1' divides each kept row of W by its sum (Dacrema's `normalize_similarity`). */
  readonly normalization: Rp3betaNormalization;
}

/**
 * Within the ranges Dacrema et al. 2019 report as best for RP3beta (α ≈ 0.4–1, β ≈ 0.3–0.7, topK 100–400), at the
 * point the validation split of the development data preferred among them (a small α, a mid β, many neighbours;
 * see BENCHMARKS.md, "RP3beta").
 */
export const rp3betaDefaults: Rp3betaParams = { alpha: 0.4, beta: 0.4, neighbours: 400, normalization: 'none' };

/** Ranges the tuner samples; `log` means sample uniformly in log space. */
export const rp3betaSearchSpace: SearchSpace<Rp3betaParams> = {
  alpha: { type: 'float', min: 0, max: 2, log: false },
  beta: { type: 'float', min: 0, max: 1, log: false },
  neighbours: { type: 'int', min: 10, max: 1000, log: true },
  normalization: { type: 'categorical', choices: ['none', 'l1'] },
};

/** Defaults overlaid with `params`, every field checked. */
export function resolveRp3betaParams(params: Partial<Rp3betaParams> = {}): Rp3betaParams {
  const p = { ...rp3betaDefaults, ...params };
  if (p.normalization !== 'none' && p.normalization !== 'l1') {
    throw new ValidationError(`RP3beta normalization must be 'none' or 'l1', got ${String(p.normalization)}`);
  }
  return {
    alpha: requireNumber('RP3beta alpha', p.alpha, 0, 10),
    beta: requireNumber('RP3beta beta', p.beta, 0, 10),
    neighbours: requireInt('RP3beta neighbours', p.neighbours, 1),
    normalization: p.normalization,
  };
}
