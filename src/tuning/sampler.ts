import type { ParamRange } from '../models/index.ts';
import type { Rng } from '../shared/index.ts';
import { numericScale } from './param-scale.ts';
import type { Direction, Params, TrialRecord } from './trial.ts';

/** A search space: each tunable parameter's range. */
export type Space = Readonly<Record<string, ParamRange>>;

/** Proposes the next trial's parameters from the study's history. Pure apart from the random stream. */
export interface Sampler {
  readonly name: string;
  sample(space: Space, history: readonly TrialRecord[], direction: Direction, rng: Rng): Params;
}

/** One parameter drawn uniformly (uniformly in log space for logarithmic ranges). */
export function sampleUniform(name: string, range: ParamRange, rng: Rng): number | string {
  if (range.type === 'categorical') return range.choices[rng.uniformInt(range.choices.length)]!;
  const scale = numericScale(name, range);
  return scale.decode(scale.low + rng.next() * (scale.high - scale.low));
}

/** Independent uniform draws: the baseline every sampler is compared with. */
export class RandomSampler implements Sampler {
  readonly name = 'random';
  sample(space: Space, _history: readonly TrialRecord[], _direction: Direction, rng: Rng): Params {
    const out: Record<string, number | string> = {};
    for (const [name, range] of Object.entries(space)) out[name] = sampleUniform(name, range, rng);
    return out;
  }
}
