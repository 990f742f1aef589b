import type { ParamRange } from '../models/core/search-space.ts';
import type { Rng } from '../shared/rng.ts';
import { logSumExp, truncatedNormalLogPdf, truncatedNormalSample } from './distributions.ts';
import { numericScale, type NumericScale } from './param-scale.ts';
import { RandomSampler, sampleUniform, type Sampler, type Space } from './sampler.ts';
import { lossOf, type Direction, type ParamValue, type Params, type TrialRecord } from './trial.ts';

export interface TpeOptions {
  /** Trials sampled at random before TPE takes over. Default 10 (Optuna's). */
  readonly startupTrials?: number;
  /** Candidates drawn from l(x) per parameter; the one with the best l(x)/g(x) wins. Default 24. */
  readonly candidates?: number;
  /** Weight of the prior (a wide normal, or uniform categories) in each Parzen estimator. Default 1. */
  readonly priorWeight?: number;
  /** Weigh each Parzen component by its bandwidth when scoring candidates (see parzenLogPdf). Default true. */
  readonly widthWeighted?: boolean;
  /**
   * One joint Parzen estimator over all parameters (Falkner et al. 2018; Optuna's `multivariate`), which
   * captures interactions between parameters that independent estimators miss (Watanabe 2023 finds it the
   * better choice in most settings). Default true; false samples each parameter on its own, as Optuna's default.
   */
  readonly multivariate?: boolean;
}

/** How many of n observed trials form the "good" group: ⌈0.1·n⌉, at most 25 (Optuna's default gamma). */
export function goodCount(n: number): number {
  return Math.min(Math.ceil(0.1 * n), 25);
}

/** Observation weights, oldest first: flat for up to 25, else a ramp from 1/n up to 1 then the latest 25 at 1. */
export function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  return [...Array.from({ length: ramp }, (_, i) => (ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1))), ...new Array<number>(25).fill(1)];
}

/** A mixture of truncated normals in a numeric parameter's internal space. */
interface NumericParzen {
  readonly mus: number[];
  readonly sigmas: number[];
  /** Normalised, one per component. */
  readonly weights: number[];
  /** Running sums of `weights`, for drawing a component. */
  readonly cumulative: Float64Array;
}

function runningSums(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
}

/**
 * The Parzen estimator of one group's values (Bergstra et al. 2011, with Optuna's defaults): one normal per
 * observation plus a prior N((low+high)/2, high−low); each observation's width is the larger gap to its
 * sorted neighbours (the outermost take their one inner gap), clipped to [(high−low)/min(100, 1+n), high−low].
 */
export function numericParzen(values: readonly number[], weights: readonly number[], low: number, high: number, priorWeight: number): NumericParzen {
  const span = high - low;
  const mus = [...values, (low + high) / 2];
  const w = [...weights, priorWeight];
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]!);
  const sigmas = new Array<number>(mus.length).fill(span);
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    const left = r === 0 ? low : mus[order[r - 1]!]!;
    const right = r === order.length - 1 ? high : mus[order[r + 1]!]!;
    sigmas[i] = Math.max(mus[i]! - left, right - mus[i]!);
  }
  // The outermost points take only their inner gap (Optuna's consider_endpoints = False).
  if (order.length >= 2) {
    sigmas[order[0]!] = mus[order[1]!]! - mus[order[0]!]!;
    sigmas[order.at(-1)!] = mus[order.at(-1)!]! - mus[order.at(-2)!]!;
  }
  sigmas[mus.length - 1] = span;
  const minSigma = span / Math.min(100, 1 + mus.length);
  for (let i = 0; i < sigmas.length; i++) sigmas[i] = Math.min(span, Math.max(minSigma, sigmas[i]!));
  const total = w.reduce((a, b) => a + b, 0);
  const normalised = w.map((x) => x / total);
  return { mus, sigmas, weights: normalised, cumulative: runningSums(normalised) };
}

/**
 * log of the mixture density at x. With `widthWeighted`, each component's density is multiplied by its
 * bandwidth, as Optuna 3.1's TPE does in effect (its truncated-normal log density leaves out the −log σ
 * term): broad components weigh more, which keeps the search exploring longer. On Branin, Hartmann-6 and a
 * noisy 10-D quadratic it reaches clearly better values within 50 trials than the normalised mixture.
 */
function parzenLogPdf(p: NumericParzen, x: number, low: number, high: number, widthWeighted: boolean): number {
  return logSumExp(p.mus.map((mu, i) => Math.log(p.weights[i]!) + truncatedNormalLogPdf(x, mu, p.sigmas[i]!, low, high) + (widthWeighted ? Math.log(p.sigmas[i]!) : 0)));
}

function parzenSample(p: NumericParzen, rng: Rng, low: number, high: number): number {
  const k = rng.weightedIndex(p.cumulative);
  return truncatedNormalSample(rng.next(), p.mus[k]!, p.sigmas[k]!, low, high);
}

/** Category probabilities: weighted observation counts plus the prior spread evenly. */
function categoricalParzen(values: readonly ParamValue[], weights: readonly number[], choices: readonly ParamValue[], priorWeight: number): number[] {
  const mass = choices.map(() => priorWeight / choices.length);
  values.forEach((v, i) => {
    const c = choices.indexOf(v);
    if (c >= 0) mass[c]! += weights[i]!;
  });
  const total = mass.reduce((a, b) => a + b, 0);
  return mass.map((m) => m / total);
}

/**
 * Tree-structured Parzen estimator (Bergstra et al. 2011) with Optuna's TPESampler defaults: after the random
 * start-up, observed trials are split by loss into a good group (the best ⌈0.1·n⌉, at most 25) and the rest;
 * a Parzen density l(x) of the good group and g(x) of the rest (pruned trials count in the rest) score 24
 * candidates drawn from l by the ratio l(x)/g(x), which is equivalent to maximising expected improvement.
 * By default the estimators are joint over all parameters (`multivariate`), else one per parameter.
 */
export class TpeSampler implements Sampler {
  readonly name = 'tpe';
  readonly #startupTrials: number;
  readonly #candidates: number;
  readonly #priorWeight: number;
  readonly #widthWeighted: boolean;
  readonly #multivariate: boolean;
  readonly #random = new RandomSampler();

  constructor(options: TpeOptions = {}) {
    this.#startupTrials = options.startupTrials ?? 10;
    this.#candidates = options.candidates ?? 24;
    this.#priorWeight = options.priorWeight ?? 1;
    this.#widthWeighted = options.widthWeighted ?? true;
    this.#multivariate = options.multivariate ?? true;
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
    const dims = Object.entries(space).map(([name, range]) => ({ name, range, scale: range.type === 'categorical' ? undefined : numericScale(name, range) }));
    const l = jointParzen(dims, good, this.#priorWeight);
    const g = jointParzen(dims, rest, this.#priorWeight);
    let best: (number | string)[] = [];
    let bestScore = -Infinity;
    for (let c = 0; c < this.#candidates; c++) {
      const x = l.sample(rng);
      const score = l.logPdf(x, this.#widthWeighted) - g.logPdf(x, this.#widthWeighted);
      if (score > bestScore) [best, bestScore] = [x, score];
    }
    const out: Record<string, ParamValue> = {};
    dims.forEach((d, i) => {
      const v = best[i]!;
      out[d.name] = d.range.type === 'categorical' ? d.range.choices[v as number]! : d.scale!.decode(v as number);
    });
    return out;
  }

  #sampleParam(name: string, range: ParamRange, good: readonly TrialRecord[], rest: readonly TrialRecord[], rng: Rng): ParamValue {
    const wGood = observationWeights(good.length);
    const wRest = observationWeights(rest.length);
    if (range.type === 'categorical') {
      const l = categoricalParzen(good.map((t) => t.params[name]!), wGood, range.choices, this.#priorWeight);
      const g = categoricalParzen(rest.map((t) => t.params[name]!), wRest, range.choices, this.#priorWeight);
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
    const l = numericParzen(good.map(encode), wGood, low, high, this.#priorWeight);
    const g = numericParzen(rest.map(encode), wRest, low, high, this.#priorWeight);
    let best = l.mus[0]!;
    let bestScore = -Infinity;
    for (let c = 0; c < this.#candidates; c++) {
      const x = parzenSample(l, rng, low, high);
      const score = parzenLogPdf(l, x, low, high, this.#widthWeighted) - parzenLogPdf(g, x, low, high, this.#widthWeighted);
      if (score > bestScore) [best, bestScore] = [x, score];
    }
    return scale.decode(best);
  }
}

interface JointDim {
  readonly name: string;
  readonly range: ParamRange;
  readonly scale: NumericScale | undefined;
}

/**
 * A multivariate Parzen estimator: one product component per observation plus the prior. Numeric bandwidths
 * follow Optuna's multivariate TPE: 0.2·n^(−1/(d+4)) of the range (clipped like the univariate ones), the prior
 * the whole range; a categorical dimension puts mass 1 on the observed choice plus the prior spread evenly.
 * Points are arrays: internal numeric values, or choice indices for categorical dimensions.
 */
function jointParzen(dims: readonly JointDim[], trials: readonly TrialRecord[], priorWeight: number) {
  const n = trials.length;
  const weights = [...observationWeights(n), priorWeight];
  const total = weights.reduce((a, b) => a + b, 0);
  const normalised = weights.map((w) => w / total);
  const cumulative = runningSums(normalised);
  const sigma0 = 0.2 * Math.max(n, 1) ** (-1 / (dims.length + 4));
  const components = dims.map((d) => {
    if (d.range.type === 'categorical') {
      const choices = d.range.choices;
      const rows = trials.map((t) => {
        const row = choices.map(() => priorWeight / choices.length);
        const at = choices.indexOf(t.params[d.name]!);
        if (at >= 0) row[at]! += 1;
        const sum = row.reduce((a, b) => a + b, 0);
        return row.map((x) => x / sum);
      });
      rows.push(choices.map(() => 1 / choices.length));
      return { kind: 'categorical' as const, rows, sums: rows.map(runningSums) };
    }
    const { low, high } = d.scale!;
    const span = high - low;
    const minSigma = span / Math.min(100, 1 + n + 1);
    const sigma = Math.min(span, Math.max(minSigma, sigma0 * span));
    const mus = [...trials.map((t) => Math.min(high, Math.max(low, d.scale!.encode(t.params[d.name] as number)))), (low + high) / 2];
    const sigmas = mus.map((_, k) => (k === n ? span : sigma));
    return { kind: 'numeric' as const, low, high, mus, sigmas };
  });
  return {
    sample(rng: Rng): (number | string)[] {
      const k = rng.weightedIndex(cumulative);
      return components.map((c) =>
        c.kind === 'categorical' ? rng.weightedIndex(c.sums[k]!) : truncatedNormalSample(rng.next(), c.mus[k]!, c.sigmas[k]!, c.low, c.high),
      );
    },
    logPdf(x: readonly (number | string)[], widthWeighted: boolean): number {
      const terms = normalised.map((w, k) => {
        let sum = Math.log(w);
        components.forEach((c, i) => {
          if (c.kind === 'categorical') sum += Math.log(c.rows[k]![x[i] as number]!);
          else sum += truncatedNormalLogPdf(x[i] as number, c.mus[k]!, c.sigmas[k]!, c.low, c.high) + (widthWeighted ? Math.log(c.sigmas[k]!) : 0);
        });
        return sum;
      });
      return logSumExp(terms);
    },
  };
}
