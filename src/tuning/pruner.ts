import { median } from '../shared/index.ts';
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
    let best = Infinity;
    for (const [, v] of trial.intermediate) best = Math.min(best, lossOf(v, direction));
    return best > median(atStep);
  }
}

export interface SuccessiveHalvingOptions {
  /** Steps before the first rung. Default 1. */
  readonly minResource?: number;
  /** η: a rung keeps the best 1/η of the trials that reached it, and rungs are η times further apart. Default 4. */
  readonly reductionFactor?: number;
}

/**
 * Asynchronous successive halving (Li et al. 2020, as Optuna's SuccessiveHalvingPruner): rung k sits at step
 * minResource·η^k. When a trial first reaches a rung, its value there is ranked among every trial's value at
 * that rung; outside the best ⌈n/η⌉ it stops. Cheap trials are judged early, promising ones get more steps.
 */
export class SuccessiveHalvingPruner implements Pruner {
  readonly name = 'halving';
  readonly #minResource: number;
  readonly #eta: number;

  constructor(options: SuccessiveHalvingOptions = {}) {
    this.#minResource = options.minResource ?? 1;
    this.#eta = options.reductionFactor ?? 4;
  }

  shouldPrune(trial: Pick<TrialRecord, 'number' | 'intermediate'>, history: readonly TrialRecord[], direction: Direction): boolean {
    const last = trial.intermediate.at(-1);
    if (last === undefined) return false;
    // The highest rung this report reaches, and whether an earlier report had reached it already.
    const rungOf = (step: number): number => (step < this.#minResource ? -1 : Math.floor(Math.log(step / this.#minResource) / Math.log(this.#eta) + 1e-9));
    const rung = rungOf(last[0]);
    const previous = trial.intermediate.at(-2);
    if (rung < 0 || (previous !== undefined && rungOf(previous[0]) >= rung)) return false;
    const threshold = this.#minResource * this.#eta ** rung;
    const valueAt = (t: Pick<TrialRecord, 'intermediate'>): number | undefined => t.intermediate.find(([s]) => s >= threshold)?.[1];
    const losses = [lossOf(last[1], direction)];
    for (const t of history) {
      if (t.number === trial.number) continue;
      const v = valueAt(t);
      if (v !== undefined && Number.isFinite(v)) losses.push(lossOf(v, direction));
    }
    const keep = Math.max(1, Math.ceil(losses.length / this.#eta));
    const own = losses[0]!;
    const better = losses.filter((l) => l < own).length;
    return better >= keep;
  }
}
