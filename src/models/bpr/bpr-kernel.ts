import type { Rng } from '../../shared/index.ts';
import { bprSimdRunner, type BprSimdLayout } from './simd/bpr-batch.ts';
import { stratumOf, type BprStrata } from './bpr-strata.ts';

/**
 * BPR-Opt by SGD (Rendle et al. 2009, as implicit's `bpr_update`). For a sample (u, i, j) — i a
 * positive of u, j not — with x_uij = x_u·(y_i − y_j) + b_i − b_j and z = σ(−x_uij) = 1/(1 + e^x_uij):
 *     x_u += η (z (y_i − y_j) − λ x_u)
 *     y_i += η (z x_u − λ y_i),     b_i += η (z − λ b_i)
 *     y_j += η (−z x_u − λ y_j),    b_j += η (−z − λ b_j)
 * which ascends ln σ(x_uij) − λ‖θ‖². The sample's loss is −ln σ(x_uij) = softplus(−x_uij).
 */

/** Shared state of a BPR fit: SharedArrayBuffer-backed when worker threads take part. */
export interface BprSharedState {
  readonly users: number;
  readonly items: number;
  readonly factors: number;
  readonly learningRate: number;
  readonly regularization: number;
  /** The training matrix's rows, column indices sorted (binary search for positives). */
  readonly indptr: Int32Array;
  readonly indices: Int32Array;
  /** Row (user) of each non-zero: sampling a uniform non-zero samples users by activity, as implicit. */
  readonly userOfNonZero: Int32Array;
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  readonly itemBias: Float32Array;
  /** Where the tables sit in WebAssembly memory when the SIMD kernel runs the updates (see simd/bpr-batch.ts). */
  readonly simd?: BprSimdLayout;
  /** With more than one thread: the strata each thread trains on per round (see bpr-strata.ts). */
  readonly strata?: BprStrata;
}

/** Totals of one thread's samples in an epoch. */
export interface BprSampleStats {
  samples: number;
  /** Samples dropped because no negative was found in {@link MAX_NEGATIVE_TRIES} draws. */
  skipped: number;
  /** Samples already ranked right (x_uij > 0): their share estimates the training AUC. */
  correct: number;
  /** Σ −ln σ(x_uij) over the samples used. */
  lossSum: number;
}

/** Draws of a negative before a sample is skipped (a user who has nearly every item). */
export const MAX_NEGATIVE_TRIES = 32;

/** Whether `item` is among indices[from..to) (sorted ascending). */
function contains(indices: Int32Array, from: number, to: number, item: number): boolean {
  let lo = from;
  let hi = to - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const v = indices[mid]!;
    if (v < item) lo = mid + 1;
    else if (v > item) hi = mid - 1;
    else return true;
  }
  return false;
}

/**
 * Where samples come from: positives uniform over non-zeros `[from, to)` (positions into `nonZeros`, or the
 * matrix's own when it is undefined), negatives uniform over items `[itemFrom, itemTo)` (into `items`, or item
 * ids themselves). The whole matrix for a single thread; one stratum per thread and round otherwise.
 */
export interface SampleScope {
  readonly from: number;
  readonly to: number;
  readonly nonZeros: Int32Array | undefined;
  readonly itemFrom: number;
  readonly itemTo: number;
  readonly items: Int32Array | undefined;
}

/** Every non-zero and every item. */
export function wholeMatrix(state: BprSharedState): SampleScope {
  return { from: 0, to: state.indptr[state.users]!, nonZeros: undefined, itemFrom: 0, itemTo: state.items, items: undefined };
}

/**
 * Draws one sample into `triple[at..at+3)`: a uniform non-zero (u, i) of the scope — users by activity, as
 * implicit — and a uniform item j of the scope that u does not have. False when no such j turned up in
 * {@link MAX_NEGATIVE_TRIES} draws.
 */
export function drawSample(state: BprSharedState, rng: Rng, scope: SampleScope, triple: Int32Array, at: number): boolean {
  const { indptr, indices, userOfNonZero } = state;
  const pick = scope.from + rng.uniformInt(scope.to - scope.from);
  const q = scope.nonZeros === undefined ? pick : scope.nonZeros[pick]!;
  const u = userOfNonZero[q]!;
  const from = indptr[u]!;
  const to = indptr[u + 1]!;
  const span = scope.itemTo - scope.itemFrom;
  for (let attempt = 0; attempt < MAX_NEGATIVE_TRIES; attempt++) {
    const drawn = scope.itemFrom + rng.uniformInt(span);
    const candidate = scope.items === undefined ? drawn : scope.items[drawn]!;
    if (!contains(indices, from, to, candidate)) {
      triple[at] = u;
      triple[at + 1] = indices[q]!;
      triple[at + 2] = candidate;
      return true;
    }
  }
  return false;
}

/** Runs `samples` SGD updates drawn from `rng` within `scope` in scalar JavaScript, adding to `stats`. */
export function runBprSamples(state: BprSharedState, rng: Rng, samples: number, stats: BprSampleStats, scope: SampleScope): void {
  const { factors: f, learningRate: lr, regularization: reg, userFactors: x, itemFactors: y, itemBias: bias } = state;
  if (scope.to === scope.from || scope.itemTo === scope.itemFrom) return;
  let skipped = 0;
  let correct = 0;
  let lossSum = 0;
  const triple = new Int32Array(3);
  for (let s = 0; s < samples; s++) {
    if (!drawSample(state, rng, scope, triple, 0)) {
      skipped++;
      continue;
    }
    const i = triple[1]!;
    const j = triple[2]!;
    const uo = triple[0]! * f;
    const io = i * f;
    const jo = j * f;
    let s0 = 0;
    let s1 = 0;
    let s2 = 0;
    let s3 = 0;
    let k = 0;
    for (; k + 3 < f; k += 4) {
      s0 += x[uo + k]! * (y[io + k]! - y[jo + k]!);
      s1 += x[uo + k + 1]! * (y[io + k + 1]! - y[jo + k + 1]!);
      s2 += x[uo + k + 2]! * (y[io + k + 2]! - y[jo + k + 2]!);
      s3 += x[uo + k + 3]! * (y[io + k + 3]! - y[jo + k + 3]!);
    }
    for (; k < f; k++) s0 += x[uo + k]! * (y[io + k]! - y[jo + k]!);
    const score = s0 + s1 + s2 + s3 + bias[i]! - bias[j]!;
    const z = 1 / (1 + Math.exp(score));
    if (score > 0) correct++;
    lossSum += score > 0 ? Math.log1p(Math.exp(-score)) : Math.log1p(Math.exp(score)) - score;
    for (k = 0; k < f; k++) {
      const xu = x[uo + k]!;
      const yi = y[io + k]!;
      const yj = y[jo + k]!;
      x[uo + k] = xu + lr * (z * (yi - yj) - reg * xu);
      y[io + k] = yi + lr * (z * xu - reg * yi);
      y[jo + k] = yj + lr * (-z * xu - reg * yj);
    }
    bias[i] = bias[i]! + lr * (z - reg * bias[i]!);
    bias[j] = bias[j]! + lr * (-z - reg * bias[j]!);
  }
  stats.samples += samples;
  stats.skipped += skipped;
  stats.correct += correct;
  stats.lossSum += lossSum;
}

/** Runs `samples` updates drawn from `rng` within `scope`, adding to `stats`. */
export type BprRunner = (rng: Rng, samples: number, stats: BprSampleStats, scope: SampleScope) => void;

/** Thread `thread`'s way of running samples: the SIMD kernel when the tables are in WebAssembly memory, else scalar. */
export function bprRunner(state: BprSharedState, thread: number): BprRunner {
  if (state.simd) return bprSimdRunner(state, state.simd, thread);
  return (rng, samples, stats, scope) => runBprSamples(state, rng, samples, stats, scope);
}

/** Thread `thread`'s scope in round `round`: its stratum, or the whole matrix without strata. */
export function scopeOf(state: BprSharedState, thread: number, round: number): SampleScope {
  const { strata } = state;
  if (strata === undefined) return wholeMatrix(state);
  const { stratum, itemBlock } = stratumOf(strata, thread, round);
  return {
    from: strata.ptr[stratum]!,
    to: strata.ptr[stratum + 1]!,
    nonZeros: strata.nonZeros,
    itemFrom: strata.itemPtr[itemBlock]!,
    itemTo: strata.itemPtr[itemBlock + 1]!,
    items: strata.items,
  };
}
