/** Parzen estimators (mixtures of truncated normals and categorical kernels) for the TPE sampler. Pure. */
import type { ParamRange } from '../models/index.ts';
import type { Rng } from '../shared/index.ts';
import { logSumExp, truncatedNormalLogPdf, truncatedNormalSample } from './distributions.ts';
import type { NumericScale } from './param-scale.ts';
import type { ParamValue, TrialRecord } from './trial.ts';

/**
 * How wide each observation's kernel is in the joint estimator:
 * - `nearest`: half the distance to the observation's nearest neighbour in its group, over all numeric
 *   parameters scaled to [0, 1], divided by √d so that the kernel's radius in d dimensions matches it (a
 *   sample-point adaptive estimator, Breiman, Meisel & Purcell 1977). Kernels narrow where a group's points
 *   crowd and stay wide where they are sparse, which one width per dimension cannot do.
 * - `optuna`: one width for all, 0.2·n^(−1/(d+4)) of the range (Optuna 3.1's multivariate TPE).
 * - `neighbour`: per dimension, the larger gap to the sorted neighbours (Hyperopt's heuristic).
 */
export type Bandwidth = 'nearest' | 'optuna' | 'neighbour';

export interface KernelOptions {
  readonly priorWeight: number;
  readonly bandwidth: Bandwidth;
  /** Neighbour gaps count the domain bounds as neighbours of the outermost points. */
  readonly considerEndpoints: boolean;
  /**
   * Multiply each component's density by its bandwidth, as Optuna 3.1 does in effect (its truncated-normal log
   * density leaves out the −log σ term). Off by default: the estimators are then true densities.
   */
  readonly widthWeighted: boolean;
}

/** Observation weights, oldest first: flat for up to 25, else a ramp from 1/n up to 1 then the latest 25 at 1. */
export function observationWeights(n: number): number[] {
  if (n < 25) return new Array<number>(n).fill(1);
  const ramp = n - 25;
  return [...Array.from({ length: ramp }, (_, i) => (ramp === 1 ? 1 / n : 1 / n + ((1 - 1 / n) * i) / (ramp - 1))), ...new Array<number>(25).fill(1)];
}

export function runningSums(weights: readonly number[]): Float64Array {
  const out = new Float64Array(weights.length);
  let sum = 0;
  weights.forEach((w, i) => (out[i] = sum += w));
  return out;
}

/** The narrowest kernel for n observations plus the prior: max(0.01, 1/(n + 2)) of the range (Optuna's magic clip). */
function minSigma(n: number, span: number): number {
  return span / Math.min(100, n + 2);
}

/**
 * Neighbour-gap bandwidths (Bergstra et al. 2011's heuristic, used by Hyperopt and by Optuna's univariate TPE):
 * each point's width is the larger gap to its sorted neighbours. With `considerEndpoints` the domain bounds count
 * as neighbours; without, the outermost points take their one inner gap (Optuna 3.1's default). The last point is
 * the prior and gets the whole range. All are clipped to [max(0.01, 1/(n + 1))·range, range] for n points.
 */
export function neighbourBandwidths(mus: readonly number[], low: number, high: number, considerEndpoints: boolean): number[] {
  const span = high - low;
  const order = mus.map((_, i) => i).sort((a, b) => mus[a]! - mus[b]!);
  const sigmas = new Array<number>(mus.length).fill(span);
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    const left = r === 0 ? low : mus[order[r - 1]!]!;
    const right = r === order.length - 1 ? high : mus[order[r + 1]!]!;
    sigmas[i] = Math.max(mus[i]! - left, right - mus[i]!);
  }
  if (!considerEndpoints && order.length >= 2) {
    sigmas[order[0]!] = mus[order[1]!]! - mus[order[0]!]!;
    sigmas[order.at(-1)!] = mus[order.at(-1)!]! - mus[order.at(-2)!]!;
  }
  sigmas[mus.length - 1] = span;
  const floor = minSigma(mus.length - 1, span);
  return sigmas.map((s) => Math.min(span, Math.max(floor, s)));
}

/**
 * Each point's kernel width for the `nearest` bandwidth, as a share of every dimension's range: half its
 * Euclidean distance to the nearest other point (coordinates in [0, 1]) divided by √d. Undefined (NaN) for a
 * single point, which takes the `optuna` width instead.
 */
export function nearestBandwidths(points: readonly (readonly number[])[]): number[] {
  const d = Math.max(1, points[0]?.length ?? 1);
  return points.map((p, i) => {
    let best = Infinity;
    points.forEach((q, j) => {
      if (j === i) return;
      let sq = 0;
      for (let k = 0; k < p.length; k++) sq += (p[k]! - q[k]!) ** 2;
      if (sq < best) best = sq;
    });
    return best === Infinity ? Number.NaN : (0.5 * Math.sqrt(best)) / Math.sqrt(d);
  });
}

/** A mixture of truncated normals in a numeric parameter's internal space. */
export interface NumericParzen {
  readonly mus: number[];
  readonly sigmas: number[];
  /** Normalised, one per component. */
  readonly weights: number[];
  /** Running sums of `weights`, for drawing a component. */
  readonly cumulative: Float64Array;
}

/**
 * The Parzen estimator of one group's values of one parameter (Bergstra et al. 2011, with Optuna's defaults):
 * one normal per observation plus a prior N((low+high)/2, high−low), with neighbour-gap bandwidths.
 */
export function numericParzen(
  values: readonly number[],
  weights: readonly number[],
  low: number,
  high: number,
  priorWeight: number,
  considerEndpoints = false,
): NumericParzen {
  const mus = [...values, (low + high) / 2];
  const w = [...weights, priorWeight];
  const sigmas = neighbourBandwidths(mus, low, high, considerEndpoints);
  const total = w.reduce((a, b) => a + b, 0);
  const normalised = w.map((x) => x / total);
  return { mus, sigmas, weights: normalised, cumulative: runningSums(normalised) };
}

/** log of the mixture density at x (see KernelOptions.widthWeighted). */
export function parzenLogPdf(p: NumericParzen, x: number, low: number, high: number, widthWeighted: boolean): number {
  return logSumExp(
    p.mus.map((mu, i) => Math.log(p.weights[i]!) + truncatedNormalLogPdf(x, mu, p.sigmas[i]!, low, high) + (widthWeighted ? Math.log(p.sigmas[i]!) : 0)),
  );
}

export function parzenSample(p: NumericParzen, rng: Rng, low: number, high: number): number {
  const k = rng.weightedIndex(p.cumulative);
  return truncatedNormalSample(rng.next(), p.mus[k]!, p.sigmas[k]!, low, high);
}

/** Category probabilities: weighted observation counts plus the prior spread evenly. */
export function categoricalParzen(values: readonly ParamValue[], weights: readonly number[], choices: readonly ParamValue[], priorWeight: number): number[] {
  const mass = choices.map(() => priorWeight / choices.length);
  values.forEach((v, i) => {
    const c = choices.indexOf(v);
    if (c >= 0) mass[c]! += weights[i]!;
  });
  const total = mass.reduce((a, b) => a + b, 0);
  return mass.map((m) => m / total);
}

export interface JointDim {
  readonly name: string;
  readonly range: ParamRange;
  readonly scale: NumericScale | undefined;
}

/** A point of the joint estimator: internal numeric values, or choice indices for categorical dimensions. */
export type JointPoint = readonly number[];

export interface JointParzen {
  sample(rng: Rng): number[];
  logPdf(x: JointPoint): number;
}

/**
 * A multivariate Parzen estimator: one product component per observation plus the prior. Numeric kernels are
 * as wide as `kernel.bandwidth` says (clipped to [max(0.01, 1/(n + 2)), 1] of the range), the prior's the whole
 * range; a categorical dimension puts mass 1 on the observed choice plus the prior spread evenly.
 */
export function jointParzen(dims: readonly JointDim[], trials: readonly TrialRecord[], kernel: KernelOptions): JointParzen {
  const { priorWeight } = kernel;
  const n = trials.length;
  const weights = [...observationWeights(n), priorWeight];
  const total = weights.reduce((a, b) => a + b, 0);
  const normalised = weights.map((w) => w / total);
  const cumulative = runningSums(normalised);
  const optunaShare = 0.2 * Math.max(n, 1) ** (-1 / (dims.length + 4));
  const numeric = dims.filter((d) => d.scale !== undefined);
  const internal = (t: TrialRecord, d: JointDim): number => Math.min(d.scale!.high, Math.max(d.scale!.low, d.scale!.encode(t.params[d.name] as number)));
  const nearest =
    kernel.bandwidth === 'nearest'
      ? nearestBandwidths(trials.map((t) => numeric.map((d) => (internal(t, d) - d.scale!.low) / (d.scale!.high - d.scale!.low))))
      : [];
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
    const mus = [...trials.map((t) => internal(t, d)), (low + high) / 2];
    const clip = (share: number): number => Math.min(span, Math.max(minSigma(n, span), share * span));
    const sigmas =
      kernel.bandwidth === 'neighbour'
        ? neighbourBandwidths(mus, low, high, kernel.considerEndpoints)
        : mus.map((_, k) => (k === n ? span : clip(Number.isNaN(nearest[k] ?? Number.NaN) ? optunaShare : nearest[k]!)));
    return { kind: 'numeric' as const, low, high, mus, sigmas };
  });
  return {
    sample(rng: Rng): number[] {
      const k = rng.weightedIndex(cumulative);
      return components.map((c) =>
        c.kind === 'categorical' ? rng.weightedIndex(c.sums[k]!) : truncatedNormalSample(rng.next(), c.mus[k]!, c.sigmas[k]!, c.low, c.high),
      );
    },
    logPdf(x: JointPoint): number {
      const terms = normalised.map((w, k) => {
        let sum = Math.log(w);
        components.forEach((c, i) => {
          if (c.kind === 'categorical') sum += Math.log(c.rows[k]![x[i]!]!);
          else sum += truncatedNormalLogPdf(x[i]!, c.mus[k]!, c.sigmas[k]!, c.low, c.high) + (kernel.widthWeighted ? Math.log(c.sigmas[k]!) : 0);
        });
        return sum;
      });
      return logSumExp(terms);
    },
  };
}
