import { compileWasm, createWasmMemory, instantiateWasm } from '../wasm.ts';
import { WASM_BASE64 } from './score-items.wasm.ts';

/** Scores every item for one user vector in WebAssembly SIMD (score-items.wat), the item table copied in once. */
export interface ItemScorer {
  /** out[offset + i] = x_u · y_i for every item, x_u = userFactors[uo, uo + f). */
  score(userFactors: Float32Array, uo: number, out: Float32Array, offset: number): void;
}

type ScoreItems = (y: number, x: number, out: number, rows: number, f: number) => void;

const scorers = new WeakMap<Float32Array, ItemScorer | null>();

/**
 * The scorer of an item table (built once per table and thread), or undefined when the factor count is not a
 * multiple of 4 or SIMD is unavailable. Answering one user at a time (the API) is about 3× faster with it.
 */
export function itemScorerFor(itemFactors: Float32Array, items: number, f: number): ItemScorer | undefined {
  let scorer = scorers.get(itemFactors);
  if (scorer === undefined) {
    scorer = build(itemFactors, items, f);
    scorers.set(itemFactors, scorer);
  }
  return scorer ?? undefined;
}

function build(itemFactors: Float32Array, items: number, f: number): ItemScorer | null {
  const module = f % 4 === 0 && f > 0 && items > 0 ? compileWasm(WASM_BASE64) : null;
  if (module === null) return null;
  const xAt = items * f;
  const outAt = xAt + f;
  const memory = createWasmMemory((outAt + items) * 4);
  const scoreItems = instantiateWasm(module, { env: { memory } })['scoreItems'] as ScoreItems;
  const heap = new Float32Array(memory.buffer);
  heap.set(itemFactors.subarray(0, items * f), 0);
  return {
    score(userFactors, uo, out, offset) {
      heap.set(userFactors.subarray(uo, uo + f), xAt);
      scoreItems(0, xAt * 4, outAt * 4, items, f);
      out.set(heap.subarray(outAt, outAt + items), offset);
    },
  };
}
