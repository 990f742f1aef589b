import type { Rng } from '../../shared/rng.ts';
import { bprSimdRunner, type BprSimdLayout } from './simd/bpr-batch.ts';

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
 * Draws one sample into `triple[at..at+3)`: a uniform non-zero (u, i) — users by activity, as implicit — and
 * a uniform item j that u does not have. False when no such j turned up in {@link MAX_NEGATIVE_TRIES} draws.
 */
export function drawSample(state: BprSharedState, rng: Rng, nnz: number, triple: Int32Array, at: number): boolean {
  const { items, indptr, indices, userOfNonZero } = state;
  const q = rng.uniformInt(nnz);
  const u = userOfNonZero[q]!;
  const from = indptr[u]!;
  const to = indptr[u + 1]!;
  for (let attempt = 0; attempt < MAX_NEGATIVE_TRIES; attempt++) {
    const candidate = rng.uniformInt(items);
    if (!contains(indices, from, to, candidate)) {
      triple[at] = u;
      triple[at + 1] = indices[q]!;
      triple[at + 2] = candidate;
      return true;
    }
  }
  return false;
}

/** Runs `samples` SGD updates drawn from `rng` in scalar JavaScript, adding to `stats`. */
export function runBprSamples(state: BprSharedState, rng: Rng, samples: number, stats: BprSampleStats): void {
  const { factors: f, learningRate: lr, regularization: reg, userFactors: x, itemFactors: y, itemBias: bias } = state;
  const nnz = state.indptr[state.users]!;
  if (nnz === 0) return;
  let skipped = 0;
  let correct = 0;
  let lossSum = 0;
  const triple = new Int32Array(3);
  for (let s = 0; s < samples; s++) {
    if (!drawSample(state, rng, nnz, triple, 0)) {
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

/** Thread `thread`'s way of running samples: the SIMD kernel when the tables are in WebAssembly memory, else scalar. */
export function bprRunner(state: BprSharedState, thread: number): (rng: Rng, samples: number, stats: BprSampleStats) => void {
  if (state.simd) return bprSimdRunner(state, state.simd, thread);
  return (rng, samples, stats) => runBprSamples(state, rng, samples, stats);
}
