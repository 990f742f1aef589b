import { csrFromCoo, type CsrMatrix } from '../src/models/core/index.ts';
import { Rng } from '../src/shared/index.ts';

/** The shape of the Gowalla check-in set in LightGCN's split (training part). */
export const GOWALLA_SHAPE = { users: 29_858, items: 40_981, nonZeros: 810_128 } as const;

/**
 * A users × items 0/1 matrix with exactly `nonZeros` entries, power-law item popularity (item i drawn with
 * probability ∝ (i + 10)^−itemExponent) and long-tailed user activity (Pareto with a floor of `minPerUser`,
 * rescaled to the total), users and items in shuffled order. Seeded: same options → same matrix.
 */
export function powerLawMatrix(options: {
  users: number;
  items: number;
  nonZeros: number;
  seed: number;
  itemExponent?: number;
  minPerUser?: number;
}): CsrMatrix {
  const { users, items, nonZeros } = options;
  const rng = new Rng(options.seed);
  const exponent = options.itemExponent ?? 0.9;
  const floor = options.minPerUser ?? 8;
  // Item CDF, then a random relabelling so popularity is not sorted by id.
  const cdf = new Float64Array(items);
  let total = 0;
  for (let i = 0; i < items; i++) cdf[i] = total += Math.pow(i + 10, -exponent);
  const itemLabel = shuffled(items, rng);
  // Activity: Pareto(α = 1.6) above the floor, scaled so the counts sum to nonZeros (at most items − 1 each).
  const raw = new Float64Array(users);
  let rawSum = 0;
  for (let u = 0; u < users; u++) rawSum += raw[u] = Math.pow(1 - rng.next(), -1 / 1.6);
  const counts = new Int32Array(users);
  let assigned = 0;
  for (let u = 0; u < users; u++) {
    counts[u] = Math.min(items - 1, floor + Math.floor(((nonZeros - floor * users) * raw[u]!) / rawSum));
    assigned += counts[u]!;
  }
  for (let u = 0; assigned < nonZeros; u = (u + 1) % users) {
    if (counts[u]! >= items - 1) continue;
    counts[u]!++;
    assigned++;
  }
  const rowIdx = new Int32Array(nonZeros);
  const colIdx = new Int32Array(nonZeros);
  const seen = new Uint8Array(items);
  const row: number[] = [];
  let e = 0;
  for (let u = 0; u < users; u++) {
    row.length = 0;
    while (row.length < counts[u]!) {
      const i = itemLabel[lowerBound(cdf, rng.next() * total)]!;
      if (seen[i]) continue;
      seen[i] = 1;
      row.push(i);
    }
    for (const i of row) {
      seen[i] = 0;
      rowIdx[e] = u;
      colIdx[e++] = i;
    }
  }
  return csrFromCoo({ rows: users, cols: items, rowIdx, colIdx });
}

function shuffled(n: number, rng: Rng): Int32Array {
  const out = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rng.next() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function lowerBound(cdf: Float64Array, x: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cdf[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
