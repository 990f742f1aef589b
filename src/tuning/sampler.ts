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

/**
 * The study's first trial takes `first` (a model's published defaults: a strong, known start, as Optuna's
 * `enqueue_trial`), restricted to the space and to values inside it; every later trial comes from `inner`.
 */
export class FirstTrialSampler implements Sampler {
  readonly name: string;
  readonly #first: Params;
  readonly #inner: Sampler;

  constructor(first: Readonly<Record<string, unknown>>, inner: Sampler) {
    this.#first = Object.fromEntries(Object.entries(first).filter((e): e is [string, string | number] => typeof e[1] === 'number' || typeof e[1] === 'string'));
    this.#inner = inner;
    this.name = inner.name;
  }

  sample(space: Space, history: readonly TrialRecord[], direction: Direction, rng: Rng): Params {
    const drawn = this.#inner.sample(space, history, direction, rng);
    if (history.length > 0) return drawn;
    const out: Record<string, number | string> = { ...drawn };
    for (const [name, range] of Object.entries(space)) {
      const v = this.#first[name];
      if (v === undefined) continue;
      const inside = range.type === 'categorical' ? range.choices.includes(v) : typeof v === 'number' && v >= range.min && v <= range.max;
      if (inside) out[name] = v;
    }
    return out;
  }
}
