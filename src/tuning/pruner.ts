import { lossOf, type Direction, type TrialRecord } from './trial.ts';

/** Decides from intermediate values whether a running trial should stop early. Pure. */
export interface Pruner {
  readonly name: string;
  /** `trial` has just reported its latest intermediate value; `history` is the study's other trials. */
  shouldPrune(trial: Pick<TrialRecord, 'number' | 'intermediate'>, history: readonly TrialRecord[], direction: Direction): boolean;
}

/** Never prunes. */
export class NopPruner implements Pruner {
  readonly name = 'none';
  shouldPrune(): boolean {
    return false;
  }
}

export interface MedianPrunerOptions {
  /** Complete trials needed before anything is pruned. Default 5 (Optuna's). */
  readonly startupTrials?: number;
  /** Steps before which a trial is never pruned. Default 0. */
  readonly warmupSteps?: number;
}

/**
 * Optuna's MedianPruner: at step s, a trial stops when its best intermediate value so far is worse than the
 * median of the complete trials' values at the same step.
 */
export class MedianPruner implements Pruner {
  readonly name = 'median';
  readonly #startupTrials: number;
  readonly #warmupSteps: number;

  constructor(options: MedianPrunerOptions = {}) {
    this.#startupTrials = options.startupTrials ?? 5;
    this.#warmupSteps = options.warmupSteps ?? 0;
  }

  shouldPrune(trial: Pick<TrialRecord, 'number' | 'intermediate'>, history: readonly TrialRecord[], direction: Direction): boolean {
    const last = trial.intermediate.at(-1);
    if (last === undefined) return false;
    const [step] = last;
    if (step < this.#warmupSteps) return false;
    const complete = history.filter((t) => t.state === 'complete' && t.number !== trial.number);
    if (complete.length < this.#startupTrials) return false;
    const atStep: number[] = [];
    for (const t of complete) {
      const v = t.intermediate.find(([s]) => s === step);
      if (v !== undefined && Number.isFinite(v[1])) atStep.push(lossOf(v[1], direction));
    }
    if (atStep.length === 0) return false;
    atStep.sort((a, b) => a - b);
    const mid = atStep.length >> 1;
    const median = atStep.length % 2 === 1 ? atStep[mid]! : (atStep[mid - 1]! + atStep[mid]!) / 2;
    let best = Infinity;
    for (const [, v] of trial.intermediate) best = Math.min(best, lossOf(v, direction));
    return best > median;
  }
}
