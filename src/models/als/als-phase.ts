import { choleskySolveRow } from './als-exact-solve.ts';
import { addGramRows, cgSolveRow, rowLoss, type AlsRows, type AlsScratch, type AlsSolveInput } from './als-kernels.ts';

/**
 * The state of one ALS fit that every thread works on. Arrays are SharedArrayBuffer-backed when worker
 * threads take part (plain otherwise); the same code runs on the main thread and in the workers.
 */
export interface AlsSharedState {
  readonly users: number;
  readonly items: number;
  readonly factors: number;
  readonly regularization: number;
  /** α₀: the weight of absent pairs; `gram` holds α₀·G. */
  readonly unobservedWeight: number;
  /** Per-row λ of the users and of the items (frequency-scaled regularisation, ν ≠ 0); undefined: λ for every row. */
  readonly userLambda: Float64Array | undefined;
  readonly itemLambda: Float64Array | undefined;
  readonly cgSteps: number;
  readonly solver: 'cg' | 'cholesky';
  /** Whether each thread uses the WebAssembly SIMD kernel for the CG solver's Gram products. */
  readonly simd: boolean;
  readonly userRows: AlsRows;
  readonly itemRows: AlsRows;
  readonly userFactors: Float32Array;
  readonly itemFactors: Float32Array;
  /** α₀ times the Gram matrix (f×f, both triangles, no λ) of the side that the current phase holds fixed. */
  readonly gram: Float64Array;
  /** One f×f upper-triangle partial Gram per block of solved rows; summed in block order by the main thread. */
  readonly gramPartials: Float64Array;
  /** Per block: [Σ loss terms, Σ |confidence|] of the loss phase. */
  readonly lossPartials: Float64Array;
  /** [next block to take, abort flag, failed rows]. */
  readonly control: Int32Array;
}

export const CONTROL_NEXT_BLOCK = 0;
export const CONTROL_ABORT = 1;
export const CONTROL_FAILED_ROWS = 2;
export const CONTROL_LENGTH = 3;

/** solve-users: X given Y; solve-items: Y given X; loss: the objective's data term over the users. */
export type AlsPhase = 'solve-users' | 'solve-items' | 'loss';

/** At most this many blocks per side: bounds the partial Gram memory (blocks × f² doubles). */
export const MAX_BLOCKS = 64;
const MIN_BLOCK_ROWS = 32;

/**
 * Rows are split into fixed blocks, taken by whichever thread is free (Atomics counter). The layout
 * depends on the row count only, so every row and every partial sum is computed the same way whatever
 * the number of threads: results do not depend on `threads` or on scheduling.
 */
export function blockLayout(rows: number): { readonly size: number; readonly count: number } {
  const size = Math.max(MIN_BLOCK_ROWS, Math.ceil(rows / MAX_BLOCKS));
  return { size, count: Math.ceil(rows / size) };
}

/**
 * Runs this thread's share of a phase: takes blocks until none are left (or the abort flag is set).
 * Solve phases also write each block's partial Gram of the freshly solved rows, which the next phase needs.
 */
export function runAlsPhase(state: AlsSharedState, phase: AlsPhase, scratch: AlsScratch): void {
  const solveUsers = phase !== 'solve-items';
  const rows = solveUsers ? state.users : state.items;
  const input: AlsSolveInput = {
    rows: solveUsers ? state.userRows : state.itemRows,
    target: solveUsers ? state.userFactors : state.itemFactors,
    fixed: solveUsers ? state.itemFactors : state.userFactors,
    gram: state.gram,
    factors: state.factors,
    regularization: state.regularization,
    rowLambda: solveUsers ? state.userLambda : state.itemLambda,
    cgSteps: state.cgSteps,
  };
  const f = state.factors;
  const { size, count } = blockLayout(rows);
  const { control } = state;
  const solveRow = state.solver === 'cg' ? cgSolveRow : choleskySolveRow;
  if (phase !== 'loss') scratch.simd?.load(state.gram, state.regularization, input.fixed);
  for (;;) {
    if (Atomics.load(control, CONTROL_ABORT) !== 0) return;
    const block = Atomics.add(control, CONTROL_NEXT_BLOCK, 1);
    if (block >= count) return;
    const start = block * size;
    const end = Math.min(rows, start + size);
    if (phase === 'loss') {
      let loss = 0;
      let confidence = 0;
      const { indptr, confM1 } = input.rows;
      for (let u = start; u < end; u++) {
        loss += rowLoss(input, u, scratch);
        for (let q = indptr[u]!, to = indptr[u + 1]!; q < to; q++) confidence += confM1[q]! + state.unobservedWeight;
      }
      state.lossPartials[2 * block] = loss;
      state.lossPartials[2 * block + 1] = confidence;
      continue;
    }
    let failed = 0;
    for (let u = start; u < end; u++) if (!solveRow(input, u, scratch)) failed++;
    if (failed > 0) Atomics.add(control, CONTROL_FAILED_ROWS, failed);
    const offset = block * f * f;
    state.gramPartials.fill(0, offset, offset + f * f);
    if (scratch.gramRows) scratch.gramRows.add(input.target, start, end, state.gramPartials, offset);
    else addGramRows(input.target, f, start, end, state.gramPartials, offset);
  }
}

/**
 * Sums the partial Grams of a solve phase in block order into `state.gram` (both triangles), times α₀ (the
 * weight of the absent pairs, which the Gram stands for). Returns the unweighted trace, Σ‖x‖² over the solved
 * rows (the loss's regularisation term with one λ).
 */
export function reduceGram(state: AlsSharedState, solvedRows: number): number {
  const f = state.factors;
  const { gram, gramPartials } = state;
  const { count } = blockLayout(solvedRows);
  gram.fill(0);
  for (let b = 0; b < count; b++) {
    const offset = b * f * f;
    for (let j = 0; j < f; j++) {
      for (let k = j; k < f; k++) gram[j * f + k] = gram[j * f + k]! + gramPartials[offset + j * f + k]!;
    }
  }
  let trace = 0;
  for (let j = 0; j < f; j++) {
    trace += gram[j * f + j]!;
    for (let k = j + 1; k < f; k++) gram[k * f + j] = gram[j * f + k]!;
  }
  const weight = state.unobservedWeight;
  if (weight !== 1) for (let q = 0; q < f * f; q++) gram[q] = gram[q]! * weight;
  return trace;
}
