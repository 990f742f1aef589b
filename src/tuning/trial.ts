/** Trials of a study, as samplers, pruners and storages see them. */

export type ParamValue = number | string;
export type Params = Readonly<Record<string, ParamValue>>;

export type TrialState = 'running' | 'complete' | 'pruned' | 'failed';

export type Direction = 'minimize' | 'maximize';

export interface TrialRecord {
  /** 0-based, unique within the study, in order of creation. */
  readonly number: number;
  readonly state: TrialState;
  readonly params: Params;
  /** The objective's value (complete trials). */
  readonly value?: number;
  /** Intermediate values by step (e.g. validation NDCG per iteration), in report order. */
  readonly intermediate: readonly (readonly [step: number, value: number])[];
}

/** `value` turned into a loss (lower is better) for the study's direction. */
export function lossOf(value: number, direction: Direction): number {
  return direction === 'minimize' ? value : -value;
}
