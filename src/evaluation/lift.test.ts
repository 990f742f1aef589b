import { describe, expect, it } from 'vitest';
import type { MetricValues } from './evaluate.ts';
import { liftPercent } from './lift.ts';

const values = (v: Partial<MetricValues>): MetricValues => ({ precision: 0, recall: 0, ndcg: 0, map: 0, hitRate: 0, coverage: 0, novelty: 0, ...v });

describe('liftPercent', () => {
  it('reproduces the README lift of ALS over popularity on NDCG', () => {
    // 100 · (0.0743 − 0.0613) / 0.0613 = 21.2 %
    const lift = liftPercent(values({ ndcg: 0.0743, recall: 0.05 }), values({ ndcg: 0.0613, recall: 0.1 }));
    expect(lift.ndcg).toBeCloseTo(21.2072, 3);
    expect(lift.recall).toBeCloseTo(-50, 12);
  });

  it('handles a zero baseline', () => {
    const lift = liftPercent(values({ map: 0.1 }), values({}));
    expect(lift.map).toBe(Infinity);
    expect(lift.precision).toBe(0);
  });
});
