import type { CsrMatrix } from '../core/csr.ts';
import type { EpochReport, FitOptions, FitReport } from '../core/recommender.ts';
import { ValidationError, ModelFitError, Rng } from '../../shared/index.ts';
import { validateCsr } from '../core/csr-ops.ts';
import { abortError } from '../core/param-checks.ts';
import { allocate, maybeShared, resolveThreads, unshare, yieldToEventLoop } from '../core/fit-support.ts';
import { WorkerPool } from '../core/worker-pool.ts';
import { factorSnapshot } from '../core/factor-recommender.ts';
import { bprRunner, scopeOf, type BprSampleStats, type BprSharedState } from './bpr-kernel.ts';
import { buildStrata, type BprStrata } from './bpr-strata.ts';
import { allocateBprSimdTables } from './simd/bpr-batch.ts';
import type { BprParams } from './bpr-params.ts';

/** More threads than this only add contention on the shared item factors. */
const MAX_THREADS = 64;

/** An epoch's report: the sampled BPR loss plus the training AUC estimate. */
export interface BprEpochReport extends EpochReport {
  /** Mean −ln σ(x_uij) over the epoch's samples. */
  readonly loss: number;
  /** Share of samples with x_uij > 0 before their update: a running estimate of the training AUC. */
  readonly auc: number;
  /** Share of samples skipped for want of a negative. */
  readonly skipped: number;
}

/** `fit` options of BPR. */
export interface BprFitOptions extends FitOptions {
  /**
   * SGD updates through the WebAssembly SIMD kernel (float32, tables in one shared WebAssembly memory) where
   * available. Default true; false runs them in scalar JavaScript. Samples are drawn the same way either way.
   */
  readonly simd?: boolean;
}

export interface BprFitResult {
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  readonly itemBias: Float32Array;
  readonly report: FitReport;
}

/**
 * Fits BPR factors by SGD, nnz samples per epoch.
 *
 * Threads: with `threads: 1` (and always below 20k non-zeros) the fit is one random stream on the
 * calling thread. With more, the calling thread and `threads − 1` workers train on disjoint strata of the
 * matrix in rounds (bpr-strata.ts), each with its own seeded stream, so that no two threads ever update the
 * same row at the same time. Either way the fit is bit-identical for a seed and thread count.
 */
export async function trainBpr(matrix: CsrMatrix, params: BprParams, options: BprFitOptions = {}): Promise<BprFitResult> {
  const started = performance.now();
  validateCsr(matrix);
  checkSortedRows(matrix);
  const { signal, onEpoch } = options;
  if (signal?.aborted) throw abortError('BPR training', signal);
  const { rows: users, cols: items, indptr } = matrix;
  const f = params.factors;
  const nnz = indptr[users]!;
  const threads = resolveThreads(options.threads, nnz, MAX_THREADS);
  const shared = threads > 1;

  // implicit's initialisation: uniform(−0.5, 0.5)/f for factors and item bias, zero for rows never seen.
  const rng = new Rng(options.seed ?? 0);
  const simd = (options.simd ?? true) ? allocateBprSimdTables(users, items, f, threads) : undefined;
  const itemFactors = simd?.itemFactors ?? allocate(Float32Array, items * f, shared);
  const itemBias = simd?.itemBias ?? allocate(Float32Array, items, shared);
  const userFactors = simd?.userFactors ?? allocate(Float32Array, users * f, shared);
  const itemSeen = new Uint8Array(items);
  for (let q = 0; q < nnz; q++) itemSeen[matrix.indices[q]!] = 1;
  for (let i = 0; i < items; i++) {
    for (let k = 0; k < f; k++) itemFactors[i * f + k] = itemSeen[i] ? (rng.next() - 0.5) / f : 0;
    itemBias[i] = itemSeen[i] ? (rng.next() - 0.5) / f : 0;
  }
  const userOfNonZero = allocate(Int32Array, nnz, shared);
  for (let u = 0; u < users; u++) {
    const seen = indptr[u + 1]! > indptr[u]!;
    for (let k = 0; k < f; k++) userFactors[u * f + k] = seen ? (rng.next() - 0.5) / f : 0;
    userOfNonZero.fill(u, indptr[u]!, indptr[u + 1]!);
  }
  const seeds = Array.from({ length: threads }, () => rng.nextUint32());

  const state: BprSharedState = {
    users,
    items,
    factors: f,
    learningRate: params.learningRate,
    regularization: params.regularization,
    indptr: maybeShared(indptr, shared),
    indices: maybeShared(matrix.indices.subarray(0, nnz), shared),
    userOfNonZero,
    userFactors,
    itemFactors,
    itemBias,
    ...(simd ? { simd: simd.layout } : {}),
    ...(shared ? { strata: shareStrata(buildStrata(indptr, matrix.indices, users, items, threads, rng)) } : {}),
  };
  const mainRng = new Rng(seeds[0]!);
  const runSamples = bprRunner(state, 0);
  const pool = shared ? new WorkerPool<number, BprSampleStats>(import.meta.url, 'bpr-worker', threads - 1, { ...state, seeds }) : undefined;
  let epochs = 0;
  let stoppedEarly = false;
  try {
    for (let epoch = 1; epoch <= params.iterations; epoch++) {
      const epochStart = performance.now();
      if (!shared) await yieldToEventLoop();
      if (signal?.aborted) throw abortError('BPR training', signal);
      const stats: BprSampleStats = { samples: 0, skipped: 0, correct: 0, lossSum: 0 };
      // One round per item block: every thread trains its own stratum; rounds run one after another.
      for (let round = 0; round < threads; round++) {
        const others = pool?.start(round);
        others?.catch(() => undefined);
        const scope = scopeOf(state, 0, round);
        runSamples(mainRng, scope.to - scope.from, stats, scope);
        for (const other of others ? await others : []) {
          stats.samples += other.samples;
          stats.skipped += other.skipped;
          stats.correct += other.correct;
          stats.lossSum += other.lossSum;
        }
      }
      if (signal?.aborted) throw abortError('BPR training', signal);
      const used = stats.samples - stats.skipped;
      if (!Number.isFinite(stats.lossSum)) throw divergence(epoch);
      epochs = epoch;
      const report: BprEpochReport = {
        epoch,
        seconds: (performance.now() - epochStart) / 1000,
        loss: used > 0 ? stats.lossSum / used : 0,
        auc: used > 0 ? stats.correct / used : 0,
        skipped: stats.samples > 0 ? stats.skipped / stats.samples : 0,
        current: () => factorSnapshot('bpr', { users, items, factors: f, userFactors, itemFactors, itemBias }),
      };
      if (onEpoch?.(report) === false) {
        stoppedEarly = epoch < params.iterations;
        break;
      }
    }
  } finally {
    await pool?.close();
  }
  for (const table of [userFactors, itemFactors, itemBias]) {
    for (let q = 0; q < table.length; q++) if (!Number.isFinite(table[q]!)) throw divergence(epochs);
  }
  return {
    userFactors: unshare(userFactors),
    itemFactors: unshare(itemFactors),
    itemBias: unshare(itemBias),
    report: { epochs, seconds: (performance.now() - started) / 1000, stoppedEarly },
  };
}

function divergence(epoch: number): ModelFitError {
  return new ModelFitError(`BPR diverged by epoch ${epoch}: non-finite factors (lower learningRate or raise regularization)`, { details: { epoch } });
}

/** Negative sampling binary-searches each row: column indices must ascend strictly. */
function checkSortedRows(matrix: CsrMatrix): void {
  const { rows, indptr, indices } = matrix;
  for (let u = 0; u < rows; u++) {
    for (let q = indptr[u]! + 1, end = indptr[u + 1]!; q < end; q++) {
      if (indices[q]! <= indices[q - 1]!) throw new ValidationError(`BPR training matrix: row ${u} has unsorted or duplicate column indices`);
    }
  }
}

/** The strata's arrays in SharedArrayBuffer memory, for the workers. */
function shareStrata(strata: BprStrata): BprStrata {
  return {
    ...strata,
    ptr: maybeShared(strata.ptr, true),
    nonZeros: maybeShared(strata.nonZeros, true),
    itemPtr: maybeShared(strata.itemPtr, true),
    items: maybeShared(strata.items, true),
  };
}
