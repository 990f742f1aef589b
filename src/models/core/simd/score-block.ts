import { compileWasm, createWasmMemory, instantiateWasm } from '../wasm.ts';
import { WASM_BASE64 } from './score-block.wasm.ts';

/**
 * Scores blocks of users against tiles of an item table in WebAssembly SIMD (score-block.wat), as the inner
 * kernel of a matrix product: the item table is streamed through the cache once per block of users instead of
 * once per user. Built once per table and thread; the item table is copied in once, packed in panels of 8, in
 * decreasing order of the items' norms, so that a top-K search can stop where no later item can enter
 * (x_u · y_i ≤ ‖x_u‖ ‖y_i‖): {@link BlockScorer.itemAt}, {@link BlockScorer.normFrom}, {@link BlockScorer.biasFrom}.
 */
export interface BlockScorer {
  /** Factors per row of the tables. */
  readonly factors: number;
  /** Most users per block ({@link BlockScorer.loadUsers}). */
  readonly maxUsers: number;
  /** Items per tile: the row stride of what {@link BlockScorer.scoreTile} returns. */
  readonly tileItems: number;
  /** The item id at each position of the packed table (positions are what tiles and hits count in). */
  readonly itemAt: Int32Array;
  /**
   * normFrom[p]: the largest ‖y_i‖ at positions p and after (the norm at p: the order is decreasing), +Infinity
   * for a non-finite norm; normFrom[items] = 0. biasFrom[p]: the largest item bias at p and after (0 without
   * bias); biasFrom[items] = -Infinity.
   */
  readonly normFrom: Float64Array;
  readonly biasFrom: Float64Array;
  /** Loads the factor rows of users[q0 .. q0 + count) (count ≤ maxUsers) as the block to score; thresholds reset to -Infinity. */
  loadUsers(userFactors: Float32Array, users: Int32Array, q0: number, count: number): void;
  /**
   * Per loaded user, the score a tile's item must beat to be reported (-Infinity: any finite score). Set by the
   * caller before {@link BlockScorer.scoreTile}; users past the block are never reported.
   */
  readonly thresholds: Float32Array;
  /**
   * x_u · y_i (+ b_i) for the loaded users and the items at positions [i0, i0 + width), i0 a multiple of 8 and
   * width at most tileItems, reporting only blocks of 4 users × 8 items where some score beats its user's
   * threshold: each hit h is block (g, p) = (⌊h / panels⌋, h mod panels), users 4g..4g+3 of the block and
   * positions i0 + 8p .. i0 + 8p + 7; their scores are in `scores` at row b (offset b · tileItems), column 8p + j.
   * Views into the scorer's memory, valid until the next call; other places of `scores` hold stale values.
   */
  scoreTile(i0: number, width: number): { readonly scores: Float32Array; readonly hits: Int32Array; readonly panels: number };
}

type ScoreBlock = (y: number, b: number, x: number, t: number, s: number, hits: number, groups: number, panels: number, f: number, stride: number) => number;

/** Users per block: 64 factor rows stay in L1 while a tile of items streams from L2. */
const BLOCK_USERS = 64;
/** Bytes of item factors per tile: well inside L2, so each tile is read from memory once per block. */
const TILE_BYTES = 128 * 1024;

const scorers = new WeakMap<Float32Array, { itemBias: Float32Array | undefined; scorer: BlockScorer | null }>();

/**
 * The block scorer of an item table (items × f, row-major) and optional per-item bias, or undefined where
 * WebAssembly SIMD is unavailable.
 */
export function blockScorerFor(itemFactors: Float32Array, items: number, f: number, itemBias?: Float32Array): BlockScorer | undefined {
  let entry = scorers.get(itemFactors);
  if (entry === undefined || entry.itemBias !== itemBias) {
    entry = { itemBias, scorer: build({ itemFactors, items, f, itemBias }) };
    scorers.set(itemFactors, entry);
  }
  return entry.scorer ?? undefined;
}

function build(o: { itemFactors: Float32Array; items: number; f: number; itemBias: Float32Array | undefined }): BlockScorer | null {
  const { itemFactors, items, f, itemBias } = o;
  const module = f > 0 && items > 0 ? compileWasm(WASM_BASE64) : null;
  if (module === null) return null;
  const tileItems = Math.max(8, Math.floor(TILE_BYTES / (f * 4) / 8) * 8);
  const panels = Math.ceil(items / 8);
  // Layout (4-byte words): packed items | item bias | packed users | thresholds | scores of one tile | hits.
  const bAt = panels * 8 * f;
  const xAt = bAt + panels * 8;
  const tAt = xAt + BLOCK_USERS * f;
  const sAt = tAt + BLOCK_USERS;
  const hitsAt = sAt + BLOCK_USERS * tileItems;
  const memory = createWasmMemory((hitsAt + (BLOCK_USERS / 4) * (tileItems / 8)) * 4);
  const scoreBlock = instantiateWasm(module, { env: { memory } })['scoreBlock'] as ScoreBlock;
  const heap = new Float32Array(memory.buffer);
  const { itemAt, normFrom, biasFrom } = normOrder(itemFactors, items, f, itemBias);
  for (let p = 0; p < items; p++) {
    const base = (p >> 3) * f * 8 + (p & 7);
    const io = itemAt[p]! * f;
    for (let k = 0; k < f; k++) heap[base + k * 8] = itemFactors[io + k]!;
  }
  // Items past the table (the last panel's padding) score -Infinity: never reported.
  for (let p = 0; p < panels * 8; p++) heap[bAt + p] = p < items ? (itemBias ? itemBias[itemAt[p]!]! : 0) : -Infinity;
  const thresholds = heap.subarray(tAt, tAt + BLOCK_USERS);
  const hits = new Int32Array(memory.buffer, hitsAt * 4);
  let groups = 0;
  return {
    factors: f,
    maxUsers: BLOCK_USERS,
    tileItems,
    itemAt,
    normFrom,
    biasFrom,
    thresholds,
    loadUsers(userFactors, users, q0, count) {
      groups = Math.ceil(count / 4);
      heap.fill(0, xAt, xAt + groups * 4 * f);
      for (let b = 0; b < count; b++) {
        const uo = users[q0 + b]! * f;
        const base = xAt + (b >> 2) * f * 4 + (b & 3);
        for (let k = 0; k < f; k++) heap[base + k * 4] = userFactors[uo + k]!;
      }
      thresholds.fill(-Infinity, 0, count).fill(Infinity, count);
    },
    scoreTile(i0, width) {
      const tilePanels = Math.min(Math.ceil(width / 8), panels - i0 / 8);
      const count = scoreBlock(i0 * f * 4, (bAt + i0) * 4, xAt * 4, tAt * 4, sAt * 4, hitsAt * 4, groups, tilePanels, f, tileItems);
      return { scores: heap.subarray(sAt, sAt + BLOCK_USERS * tileItems), hits: hits.subarray(0, count), panels: tilePanels };
    },
  };
}

/** Items by decreasing norm (a non-finite norm first, as +Infinity; ties by id), with the bounds of what follows each position. */
function normOrder(
  itemFactors: Float32Array,
  items: number,
  f: number,
  itemBias: Float32Array | undefined,
): { itemAt: Int32Array; normFrom: Float64Array; biasFrom: Float64Array } {
  const norms = Float64Array.from({ length: items }, (_, i) => boundNorm(itemFactors, i * f, f));
  const itemAt = Int32Array.from({ length: items }, (_, i) => i).sort((a, b) => norms[b]! - norms[a]! || a - b);
  const normFrom = new Float64Array(items + 1);
  const biasFrom = new Float64Array(items + 1);
  biasFrom[items] = -Infinity;
  for (let p = items - 1; p >= 0; p--) {
    const i = itemAt[p]!;
    normFrom[p] = norms[i]!;
    const b = itemBias ? itemBias[i]! : 0;
    // A NaN bias bounds nothing: +Infinity keeps every search going past it.
    biasFrom[p] = Number.isNaN(b) ? Infinity : Math.max(b, biasFrom[p + 1]!);
  }
  return { itemAt, normFrom, biasFrom };
}

/** ‖row‖ of a factor table in double precision, +Infinity for a row that is not finite: a bound that never stops a search. */
export function boundNorm(table: Float32Array, offset: number, f: number): number {
  let s = 0;
  for (let k = 0; k < f; k++) s += table[offset + k]! * table[offset + k]!;
  return Number.isFinite(s) ? Math.sqrt(s) : Infinity;
}
