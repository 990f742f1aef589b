import type { CsrMatrix } from '../core/csr.ts';
import type { EpochReport, FitOptions, FitReport } from '../core/recommender.ts';
import { createAlsScratch, addGramRows, scaledRegularization } from './als-kernels.ts';
import type { AlsParams } from './als-params.ts';
import {
  blockLayout,
  CONTROL_ABORT,
  CONTROL_FAILED_ROWS,
  CONTROL_LENGTH,
  CONTROL_NEXT_BLOCK,
  MAX_BLOCKS,
  reduceGram,
  runAlsPhase,
  type AlsPhase,
  type AlsSharedState,
} from './als-phase.ts';
import { ModelFitError, Rng } from '../../shared/index.ts';
import { validateCsr, transpose } from '../core/csr-ops.ts';
import { abortError } from '../core/param-checks.ts';
import { allocate, maybeShared, resolveThreads, unshare, yieldToEventLoop } from '../core/fit-support.ts';
import { WorkerPool } from '../core/worker-pool.ts';
import { factorSnapshot } from '../core/factor-recommender.ts';
import type { AlsRows } from './als-kernels.ts';

/** `fit` options of ALS: the common ones plus the per-iteration objective. */
export interface AlsFitOptions extends FitOptions {
  /** Report implicit's normalised training loss in each EpochReport (one extra pass over the users). Default false. */
  readonly computeLoss?: boolean;
  /**
   * The CG solver's Gram products through the WebAssembly SIMD kernel (float32, as implicit) where available.
   * Default true; false keeps them in scalar float64 JavaScript.
   */
  readonly simd?: boolean;
}

export interface AlsFitResult {
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  readonly report: FitReport;
}

/**
 * Fits ALS factors to a users × items matrix. Each iteration solves every user row against the item
 * factors, then every item row against the new user factors (see als-kernels.ts for the equations).
 *
 * Threads: the calling thread plus `threads − 1` workers share the factor tables and the matrix in
 * SharedArrayBuffer memory and take fixed blocks of rows from an atomic counter. A row's new factor
 * depends only on its own non-zeros, its previous value and the other side's factors, and partial sums
 * are reduced in block order, so the result is bit-identical for any thread count.
 */
export async function trainAls(matrix: CsrMatrix, params: AlsParams, options: AlsFitOptions = {}): Promise<AlsFitResult> {
  const started = performance.now();
  validateCsr(matrix);
  const { signal, onEpoch } = options;
  if (signal?.aborted) throw abortError('ALS training', signal);
  const { rows: users, cols: items } = matrix;
  const f = params.factors;
  const nnz = matrix.indptr[users]!;
  const maxUseful = Math.min(blockLayout(users).count, blockLayout(items).count);
  const threads = resolveThreads(options.threads, nnz, maxUseful);
  const shared = threads > 1;

  const itemUsers = transpose(matrix);
  const rng = new Rng(options.seed ?? 0);
  // implicit's initialisation: uniform(0, 1) · 0.01, users first.
  const userFactors = allocate(Float32Array, users * f, shared);
  const itemFactors = allocate(Float32Array, items * f, shared);
  for (let q = 0; q < userFactors.length; q++) userFactors[q] = rng.next() * 0.01;
  for (let q = 0; q < itemFactors.length; q++) itemFactors[q] = rng.next() * 0.01;

  const state: AlsSharedState = {
    users,
    items,
    factors: f,
    regularization: params.regularization,
    unobservedWeight: params.unobservedWeight,
    userLambda: rowLambdas(matrix.indptr, params, items, shared),
    itemLambda: rowLambdas(itemUsers.indptr, params, users, shared),
    cgSteps: params.cgSteps,
    solver: params.solver,
    simd: (options.simd ?? true) && params.solver === 'cg',
    userRows: confidenceRows(matrix, params, shared),
    itemRows: confidenceRows(itemUsers, params, shared),
    userFactors,
    itemFactors,
    gram: allocate(Float64Array, f * f, shared),
    gramPartials: allocate(Float64Array, MAX_BLOCKS * f * f, shared),
    lossPartials: allocate(Float64Array, MAX_BLOCKS * 2, shared),
    control: allocate(Int32Array, CONTROL_LENGTH, shared),
  };
  const scratch = createAlsScratch(f, state.simd);
  // YᵀY of the initial item factors, blockwise like every later Gram (same sums whatever the threads).
  const itemBlocks = blockLayout(items);
  for (let b = 0; b < itemBlocks.count; b++) {
    const offset = b * f * f;
    state.gramPartials.fill(0, offset, offset + f * f);
    addGramRows(itemFactors, f, b * itemBlocks.size, Math.min(items, (b + 1) * itemBlocks.size), state.gramPartials, offset);
  }
  reduceGram(state, items);

  const pool = shared ? new WorkerPool<AlsPhase, null>(import.meta.url, 'als-worker', threads - 1, state) : undefined;
  const onAbort = (): void => {
    Atomics.store(state.control, CONTROL_ABORT, 1);
  };
  signal?.addEventListener('abort', onAbort);
  const runPhase = async (phase: AlsPhase): Promise<void> => {
    Atomics.store(state.control, CONTROL_NEXT_BLOCK, 0);
    const others = pool?.start(phase);
    others?.catch(() => undefined);
    runAlsPhase(state, phase, scratch);
    if (others) await others;
    if (signal?.aborted || Atomics.load(state.control, CONTROL_ABORT) !== 0) throw abortError('ALS training', signal ?? AbortSignal.abort());
  };

  let epochs = 0;
  let stoppedEarly = false;
  try {
    for (let iteration = 1; iteration <= params.iterations; iteration++) {
      const iterationStart = performance.now();
      if (!shared) await yieldToEventLoop();
      if (signal?.aborted) throw abortError('ALS training', signal);
      await runPhase('solve-users');
      checkFailures(state, iteration, 'user');
      const userTrace = reduceGram(state, users);
      await runPhase('solve-items');
      checkFailures(state, iteration, 'item');
      const itemTrace = reduceGram(state, items);
      let loss: number | undefined;
      if (options.computeLoss) {
        await runPhase('loss');
        const regularizationTerm = state.userLambda
          ? weightedNorms(userFactors, state.userLambda, f) + weightedNorms(itemFactors, state.itemLambda!, f)
          : state.regularization * (userTrace + itemTrace);
        loss = trainingLoss(state, nnz, regularizationTerm);
      }
      epochs = iteration;
      const report: EpochReport = {
        epoch: iteration,
        seconds: (performance.now() - iterationStart) / 1000,
        ...(loss === undefined ? {} : { loss }),
        current: () => factorSnapshot('als', { users, items, factors: f, userFactors, itemFactors }),
      };
      if (onEpoch?.(report) === false) {
        stoppedEarly = iteration < params.iterations;
        break;
      }
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    await pool?.close();
  }
  return {
    userFactors: unshare(userFactors),
    itemFactors: unshare(itemFactors),
    report: { epochs, seconds: (performance.now() - started) / 1000, stoppedEarly },
  };
}

/** Per non-zero: c·p and c − α₀, with c = alpha·|r| and p = 1 for r > 0 (0 for a negative, implicit's dislike). */
export function confidenceRows(matrix: CsrMatrix, params: Pick<AlsParams, 'alpha' | 'unobservedWeight'>, shared: boolean): AlsRows {
  const { alpha, unobservedWeight } = params;
  const nnz = matrix.indptr[matrix.rows]!;
  const pref = allocate(Float32Array, nnz, shared);
  const confM1 = allocate(Float32Array, nnz, shared);
  const { data } = matrix;
  for (let q = 0; q < nnz; q++) {
    const c = alpha * data[q]!;
    pref[q] = c > 0 ? c : 0;
    confM1[q] = Math.abs(c) - unobservedWeight;
  }
  return {
    indptr: maybeShared(matrix.indptr, shared),
    indices: maybeShared(matrix.indices.subarray(0, nnz), shared),
    pref,
    confM1,
  };
}

/** Each row's λ when the regularisation is frequency-scaled (ν ≠ 0); undefined keeps one λ for all rows. */
function rowLambdas(indptr: Int32Array, params: AlsParams, others: number, shared: boolean): Float64Array | undefined {
  if (params.regExponent === 0) return undefined;
  const options = { regularization: params.regularization, exponent: params.regExponent, unobservedWeight: params.unobservedWeight, others };
  return scaledRegularization(indptr, options, allocate(Float64Array, indptr.length - 1, shared));
}

/** Σ_r λ_r ‖x_r‖² over a factor table. */
function weightedNorms(factors: Float32Array, lambdas: Float64Array, f: number): number {
  let sum = 0;
  for (let r = 0; r < lambdas.length; r++) {
    let norm = 0;
    for (let k = r * f; k < (r + 1) * f; k++) norm += factors[k]! * factors[k]!;
    sum += lambdas[r]! * norm;
  }
  return sum;
}

function checkFailures(state: AlsSharedState, iteration: number, side: string): void {
  const failed = Atomics.exchange(state.control, CONTROL_FAILED_ROWS, 0);
  if (failed > 0) {
    throw new ModelFitError(
      `ALS diverged at iteration ${iteration}: ${failed} ${side} rows got non-finite factors or a singular system ` + `(raise regularization or lower alpha)`,
      { details: { iteration, side, failedRows: failed } },
    );
  }
}

/**
 * implicit's `calculate_loss`: (Σ_u,i c(p − xᵀy)² + Σ λ_r‖x_r‖²) / (Σ|c| + α₀·(users·items − nnz)),
 * i.e. the objective divided by the total confidence weight (absent pairs weigh α₀, 1 in implicit).
 */
function trainingLoss(state: AlsSharedState, nnz: number, regularizationTerm: number): number {
  const { count } = blockLayout(state.users);
  let data = 0;
  let confidence = 0;
  for (let b = 0; b < count; b++) {
    data += state.lossPartials[2 * b]!;
    confidence += state.lossPartials[2 * b + 1]!;
  }
  const absent = state.users * state.items - nnz;
  return (data + regularizationTerm) / (confidence + state.unobservedWeight * absent);
}
