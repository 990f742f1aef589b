import {
  NeighbourRecommender,
  readNeighbourArtifact,
  validateCsr,
  type CsrMatrix,
  type FitOptions,
  type FitReport,
  type ModelArtifact,
} from '../core/index.ts';
import { resolveRp3betaParams, type Rp3betaParams } from './rp3beta-params.ts';
import { rp3betaTransitions } from './rp3beta-transitions.ts';

/**
 * RP3beta (Paudel et al. 2017), a strong item-based baseline in Dacrema et al. 2019: a popularity-penalised
 * random walk item → user → item (see rp3betaTransitions) whose top-K transitions W score
 *
 *   score(u, i) = Σ_{j ∈ items(u)} r(u, j) · W(j, i)
 *
 * with r the training value. Fold-in, similar items (the largest W(i, ·)) and the artifact (W and the user-item
 * history) are those of every neighbour model (NeighbourRecommender).
 */
export class Rp3betaRecommender extends NeighbourRecommender<Rp3betaParams> {
  readonly kind = 'rp3beta' as const;

  constructor(params: Partial<Rp3betaParams> = {}) {
    super(resolveRp3betaParams(params), 'Rp3betaRecommender');
  }

  async fit(matrix: CsrMatrix, options: FitOptions = {}): Promise<FitReport> {
    options.signal?.throwIfAborted();
    const started = performance.now();
    validateCsr(matrix);
    this.adopt(rp3betaTransitions(matrix, this.params, options.signal), matrix);
    const seconds = (performance.now() - started) / 1000;
    options.onEpoch?.({ epoch: 1, seconds });
    return { epochs: 1, seconds, stoppedEarly: false };
  }

  /** Rebuilds a fitted model, validating both CSR matrices; throws a ValidationError on any mismatch. */
  static fromArtifact(artifact: ModelArtifact): Rp3betaRecommender {
    const { params, neighbours, history } = readNeighbourArtifact(artifact, { kind: 'rp3beta', where: 'Rp3betaRecommender.fromArtifact' });
    const model = new Rp3betaRecommender(params as Partial<Rp3betaParams>);
    model.adopt(neighbours, history);
    return model;
  }
}
