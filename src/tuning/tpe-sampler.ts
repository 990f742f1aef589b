import type { ParamRange } from '../models/index.ts';
import type { Rng } from '../shared/index.ts';
import { numericScale, type NumericScale } from './param-scale.ts';
import {
  categoricalParzen,
  jointParzen,
  numericParzen,
  observationWeights,
  parzenLogPdf,
  parzenSample,
  runningSums,
  type Bandwidth,
  type JointDim,
  type KernelOptions,
} from './parzen.ts';
import { RandomSampler, sampleUniform, type Sampler, type Space } from './sampler.ts';
import { lossOf, type Direction, type ParamValue, type Params, type TrialRecord } from './trial.ts';

export { numericParzen, observationWeights } from './parzen.ts';

export interface TpeOptions {
  /** Trials sampled at random before TPE takes over. Default 10 (Optuna's). */
  readonly startupTrials?: number;
  /** Candidates drawn from l(x); the one with the best l(x)/g(x) wins. Default 24. */
  readonly candidates?: number;
  /** Weight of the prior (a wide normal, or uniform categories) in each Parzen estimator. Default 1. */
  readonly priorWeight?: number;
  /**
   * One joint Parzen estimator over all parameters (Falkner et al. 2018; Optuna's `multivariate`), which
   * captures interactions between parameters that independent estimators miss (Watanabe 2023 finds it the
   * better choice in most settings). Default true; false samples each parameter on its own, as Optuna's default.
   */
  readonly multivariate?: boolean;
  /** Kernel widths of the joint estimator (see Bandwidth). Default `nearest`. */
  readonly bandwidth?: Bandwidth;
  /** Neighbour gaps count the domain bounds as neighbours. Default false (Optuna 3.1). */
  readonly considerEndpoints?: boolean;
  /** Weigh components by their bandwidth, as Optuna 3.1 does in effect (see KernelOptions). Default false. */
  readonly widthWeighted?: boolean;
}

/** How many of n observed trials form the "good" group: ⌈0.1·n⌉, at most 25 (Optuna's default gamma). */
export function goodCount(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/**
 * Tree-structured Parzen estimator (Bergstra et al. 2011) with Optuna's TPESampler defaults: after the random
 * start-up, observed trials are split by loss into a good group (the best ⌈0.1·n⌉, at most 25) and the rest;
 * a Parzen density l(x) of the good group and g(x) of the rest (pruned trials count in the rest) score 24
 * candidates drawn from l by the ratio l(x)/g(x), which is equivalent to maximising expected improvement.
 * By default the estimators are joint over all parameters (`multivariate`), with each observation's kernel as
 * wide as half the distance to its nearest neighbour (`bandwidth: 'nearest'`), else one per parameter. These
 * two defaults were chosen on eight development functions kept apart from the benchmark's (`npm run
 * bench:tuning -- --set development`, BENCHMARKS.md).
 */
export class TpeSampler implements Sampler {
  readonly name = 'tpe';
  readonly #startupTrials: number;
  readonly #candidates: number;
  readonly #multivariate: boolean;
  readonly #kernel: KernelOptions;
  readonly #random = new RandomSampler();

  constructor(options: TpeOptions = {}) {
    this.#startupTrials = options.startupTrials ?? 10;
    this.#candidates = options.candidates ?? 24;
    this.#multivariate = options.multivariate ?? true;
    this.#kernel = {
      priorWeight: options.priorWeight ?? 1,
      bandwidth: options.bandwidth ?? 'nearest',
      considerEndpoints: options.considerEndpoints ?? false,
      widthWeighted: options.widthWeighted ?? false,
    };
  }

  sample(space: Space, history: readonly TrialRecord[], direction: Direction, rng: Rng): Params {
    const complete = history.filter((t) => t.state === 'complete' && Number.isFinite(t.value));
    const pruned = history.filter((t) => t.state === 'pruned');
    if (complete.length + pruned.length < this.#startupTrials) return this.#random.sample(space, history, direction, rng);
    // Good group: the lowest losses among complete trials. Pruned trials only ever join the rest.
    const ranked = [...complete].sort((a, b) => lossOf(a.value!, direction) - lossOf(b.value!, direction) || a.number - b.number);
    const nGood = Math.min(goodCount(complete.length + pruned.length), ranked.length);
    const good = ranked.slice(0, nGood).sort((a, b) => a.number - b.number);
    const rest = [...ranked.slice(nGood), ...pruned].sort((a, b) => a.number - b.number);
    const names = Object.keys(space);
    if (this.#multivariate && good.every((t) => names.every((n) => n in t.params)) && rest.every((t) => names.every((n) => n in t.params))) {
      return this.#sampleJoint(space, good, rest, rng);
    }
    const out: Record<string, ParamValue> = {};
    for (const [name, range] of Object.entries(space)) {
      const g = good.filter((t) => name in t.params);
      const b = rest.filter((t) => name in t.params);
      out[name] = g.length === 0 ? sampleUniform(name, range, rng) : this.#sampleParam(name, range, g, b, rng);
    }
    return out;
  }

  /** All parameters at once from joint Parzen estimators of the good and the other trials. */
  #sampleJoint(space: Space, good: readonly TrialRecord[], rest: readonly TrialRecord[], rng: Rng): Params {
    const dims: JointDim[] = Object.entries(space).map(([name, range]) => ({
      name,
      range,
      scale: range.type === 'categorical' ? undefined : numericScale(name, range),
    }));
    const l = jointParzen(dims, good, this.#kernel);
    const g = jointParzen(dims, rest, this.#kernel);
    let best: number[] = [];
    let bestScore = -Infinity;
    for (let c = 0; c < this.#candidates; c++) {
      const x = l.sample(rng);
      const score = l.logPdf(x) - g.logPdf(x);
      if (score > bestScore) [best, bestScore] = [x, score];
    }
    const out: Record<string, ParamValue> = {};
    dims.forEach((d, i) => {
      const v = best[i]!;
      out[d.name] = d.range.type === 'categorical' ? d.range.choices[v]! : d.scale!.decode(v);
    });
    return out;
  }

  #sampleParam(name: string, range: ParamRange, good: readonly TrialRecord[], rest: readonly TrialRecord[], rng: Rng): ParamValue {
    const wGood = observationWeights(good.length);
    const wRest = observationWeights(rest.length);
    if (range.type === 'categorical') {
      const l = categoricalParzen(
        good.map((t) => t.params[name]!),
        wGood,
        range.choices,
        this.#kernel.priorWeight,
      );
      const g = categoricalParzen(
        rest.map((t) => t.params[name]!),
        wRest,
        range.choices,
        this.#kernel.priorWeight,
      );
      const lSums = runningSums(l);
      let best = 0;
      let bestScore = -Infinity;
      for (let c = 0; c < this.#candidates; c++) {
        const k = rng.weightedIndex(lSums);
        const score = Math.log(l[k]!) - Math.log(g[k]!);
        if (score > bestScore) [best, bestScore] = [k, score];
      }
      return range.choices[best]!;
    }
    const scale: NumericScale = numericScale(name, range);
    const { low, high } = scale;
    const encode = (t: TrialRecord): number => Math.min(high, Math.max(low, scale.encode(t.params[name] as number)));
    const l = numericParzen(good.map(encode), wGood, low, high, this.#kernel.priorWeight, this.#kernel.considerEndpoints);
    const g = numericParzen(rest.map(encode), wRest, low, high, this.#kernel.priorWeight, this.#kernel.considerEndpoints);
    let best = l.mus[0]!;
    let bestScore = -Infinity;
    for (let c = 0; c < this.#candidates; c++) {
      const x = parzenSample(l, rng, low, high);
      const score = parzenLogPdf(l, x, low, high, this.#kernel.widthWeighted) - parzenLogPdf(g, x, low, high, this.#kernel.widthWeighted);
      if (score > bestScore) [best, bestScore] = [x, score];
    }
    return scale.decode(best);
  }
}
