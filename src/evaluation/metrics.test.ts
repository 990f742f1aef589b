import { describe, expect, it } from 'vitest';
import { averagePrecisionAtK, catalogueCoverage, hitRateAtK, hitsAtK, ndcgAtK, novelty, precisionAtK, recallAtK, type RankingMetric } from './metrics.ts';

const ranked = (...ids: number[]) => Int32Array.from(ids);

describe('ranking metrics, hand-computed', () => {
  // R = {1, 3, 5} (|R| = 3), ranked = [3, 7, 1, 8], k = 4 → rel = [1, 0, 1, 0], hits = 2.
  const relevant = new Set([1, 3, 5]);
  const list = ranked(3, 7, 1, 8);

  it('precision, recall, hit rate', () => {
    expect(hitsAtK(relevant, list, 4)).toBe(2);
    expect(precisionAtK(relevant, list, 4)).toBe(0.5); // 2 / 4
    expect(recallAtK(relevant, list, 4)).toBeCloseTo(2 / 3, 12); // 2 / |R| = 2 / 3
    expect(hitRateAtK(relevant, list, 4)).toBe(1);
  });

  it('NDCG with the ideal over min(|R|, k) positions', () => {
    // DCG  = 1/log2(2) + 1/log2(4) = 1 + 0.5 = 1.5
    // IDCG = 1/log2(2) + 1/log2(3) + 1/log2(4) = 1 + 0.630930 + 0.5 = 2.130930   (min(3, 4) = 3 positions)
    // NDCG = 1.5 / 2.130930 = 0.703918
    expect(ndcgAtK(relevant, list, 4)).toBeCloseTo(0.703918, 6);
  });

  it('AP divided by min(|R|, k)', () => {
    // Hits at ranks 1 and 3: P@1 = 1/1, P@3 = 2/3 → AP = (1 + 2/3) / min(3, 4) = 1.666667 / 3 = 0.555556
    expect(averagePrecisionAtK(relevant, list, 4)).toBeCloseTo(5 / 9, 12);
  });

  it('a perfect list scores 1 on NDCG and AP even when |R| > k, while recall stays below 1', () => {
    // R = {0..4} (|R| = 5), ranked = [0, 1], k = 2: IDCG over min(5, 2) = 2 positions equals DCG.
    const many = new Set([0, 1, 2, 3, 4]);
    expect(ndcgAtK(many, ranked(0, 1), 2)).toBe(1);
    expect(averagePrecisionAtK(many, ranked(0, 1), 2)).toBe(1); // (1/1 + 2/2) / min(5, 2)
    expect(precisionAtK(many, ranked(0, 1), 2)).toBe(1);
    expect(recallAtK(many, ranked(0, 1), 2)).toBe(0.4); // 2 / 5
  });

  it('a second-place hit: NDCG = 1/log2(3), AP = 1/2', () => {
    // R = {4}, ranked = [9, 4, 2], k = 3: DCG = 1/log2(3) = 0.630930, IDCG = 1 (one position).
    expect(ndcgAtK(new Set([4]), ranked(9, 4, 2), 3)).toBeCloseTo(1 / Math.log2(3), 12);
    expect(averagePrecisionAtK(new Set([4]), ranked(9, 4, 2), 3)).toBe(0.5); // P@2 · 1 / min(1, 3)
    expect(precisionAtK(new Set([4]), ranked(9, 4, 2), 3)).toBeCloseTo(1 / 3, 12);
  });

  const all: [string, RankingMetric][] = [
    ['precision', precisionAtK],
    ['recall', recallAtK],
    ['hitRate', hitRateAtK],
    ['ndcg', ndcgAtK],
    ['map', averagePrecisionAtK],
  ];

  it.each(all)('%s: -1 padding is a miss, entries past k are ignored, empty R gives 0', (_name, metric) => {
    expect(metric(new Set([0]), ranked(-1, -1, -1), 3)).toBe(0);
    expect(metric(new Set([1]), ranked(9, 1), 1)).toBe(0);
    expect(metric(new Set(), ranked(1, 2), 2)).toBe(0);
  });

  it.each(all)('%s: a sorted Int32Array gives the same value as a Set', (_name, metric) => {
    expect(metric(Int32Array.of(1, 3, 5), list, 4)).toBe(metric(relevant, list, 4));
    expect(metric(Int32Array.of(1, 3, 5), ranked(0, 2, 4, 6), 4)).toBe(0);
  });

  it('precision divides by k even for a short list', () => {
    // One hit in a list of 2 at k = 4: 1 / 4.
    expect(precisionAtK(new Set([7]), ranked(7, 2), 4)).toBe(0.25);
  });
});

describe('aggregate metrics over all users', () => {
  it('catalogue coverage counts distinct recommended items', () => {
    // Lists [0, 1, -1] and [1, 2, -1] → distinct {0, 1, 2} → 3 / 10.
    expect(catalogueCoverage(ranked(0, 1, -1, 1, 2, -1), 10)).toBeCloseTo(0.3, 12);
    expect(catalogueCoverage(ranked(-1), 10)).toBe(0);
  });

  it('novelty is the mean self-information −log2(c(i) / |U|)', () => {
    // |U| = 4, c = [4, 2, 1, 0]: items 0, 1, 3 → −log2(4/4) = 0, −log2(2/4) = 1, −log2(1/4) = 2 (c = 0 counts as 1).
    // Mean over the 3 slots (-1 ignored) = (0 + 1 + 2) / 3 = 1.
    expect(novelty(ranked(0, 1, 3, -1), Int32Array.of(4, 2, 1, 0), 4)).toBe(1);
    expect(novelty(ranked(-1), Int32Array.of(1), 4)).toBe(0);
  });
});
