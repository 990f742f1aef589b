import { describe, expect, it } from 'vitest';
import { Rng } from '../shared/rng.ts';
import type { FactTuple } from '../warehouse/index.ts';
import { FeatureAggregator, type ServiceDim, type UserDim } from './feature-aggregator.ts';

const cutoffs = { asOf: '2024-03-31 12:00:00.000', cutoff7: '2024-03-24 12:00:00.000', cutoff30: '2024-03-01 12:00:00.000' };
const services: ServiceDim[] = [
  { serviceKey: 1, categoryKey: 10, regionKey: 1, price: 100 },
  { serviceKey: 2, categoryKey: 10, regionKey: null, price: 200 },
  { serviceKey: 3, categoryKey: 20, regionKey: 2, price: 50 },
];
const users: UserDim[] = [
  { userKey: 1, regionKey: 1, birthYear: 1990 },
  { userKey: 2, regionKey: null, birthYear: null },
];
const categoryOf = new Map(services.map((s) => [s.serviceKey, s.categoryKey]));

describe('FeatureAggregator', () => {
  it('aggregates facts into user and service rows, ignoring facts after as-of and categories of unknown services', () => {
    const a = new FeatureAggregator({ ...cutoffs, categoryOf, maxUserKey: 2 });
    const facts: FactTuple[] = [
      [1, 1, 'completed', '2024-03-31 12:00:00.000', 5],
      [1, 3, 'completed', '2024-03-24 12:00:00.000', 4],
      [1, 3, 'completed', '2024-03-01 11:59:59.999', null],
      [1, 2, 'canceled', '2024-03-30 00:00:00.000', null],
      [1, 9, 'completed', '2024-03-02 00:00:00.000', null], // service 9 is not in dim_service
      [2, 1, 'reserved', '2024-03-25 00:00:00.000', 2],
      [2, 1, 'completed', '2024-04-01 00:00:00.000', 1], // after as-of: not counted
    ];
    for (const f of facts) a.addFact(f);
    expect(a.userRows(7, users, 2024)).toEqual([
      {
        snapshotId: 7,
        userKey: 1,
        reservations: 5,
        completed: 4,
        canceled: 1,
        cancelRate: 0.2,
        lastReservedAt: '2024-03-31 12:00:00.000',
        regionKey: 1,
        ageBand: '30-39',
        favouriteCategoryKeys: '20,10',
      },
      {
        snapshotId: 7,
        userKey: 2,
        reservations: 1,
        completed: 0,
        canceled: 0,
        cancelRate: 0,
        lastReservedAt: '2024-03-25 00:00:00.000',
        regionKey: null,
        ageBand: null,
        favouriteCategoryKeys: '',
      },
    ]);
    const rows = a.serviceRows(7, services, services);
    expect(rows[0]).toEqual({
      snapshotId: 7,
      serviceKey: 1,
      reservationsLast7d: 2,
      reservationsLast30d: 2,
      reservationsAll: 2,
      completed: 1,
      canceled: 0,
      completionRate: 0.5,
      cancelRate: 0,
      ratingMean: 3.5,
      ratingCount: 2,
      categoryKey: 10,
      regionKey: 1,
      priceBand: 'low',
    });
    expect(rows[1]).toMatchObject({ reservationsAll: 0, canceled: 1, cancelRate: 1, completionRate: 0, ratingMean: null, priceBand: 'mid' });
    // The 30-day window starts at the cut-off, inclusive: 11:59:59.999 is outside, 12:00 on 24 March inside both.
    expect(rows[2]).toMatchObject({ reservationsLast7d: 1, reservationsLast30d: 1, reservationsAll: 2, ratingMean: 4, priceBand: 'low' });
  });

  it('gives the same rows whether (user, category) counts are kept in an array or in a map', () => {
    const rng = new Rng(5);
    const many: FactTuple[] = [];
    const statuses = ['completed', 'canceled', 'reserved'];
    for (let i = 0; i < 5000; i++) {
      const day = 1 + rng.int(0, 31);
      many.push([
        1 + rng.int(0, 2),
        1 + rng.int(0, 3),
        statuses[rng.int(0, 3)]!,
        `2024-03-${String(day).padStart(2, '0')} 08:00:00.000`,
        rng.int(0, 6) || null,
      ]);
    }
    const dense = new FeatureAggregator({ ...cutoffs, categoryOf, maxUserKey: 2 });
    const sparse = new FeatureAggregator({ ...cutoffs, categoryOf, maxUserKey: 10_000_000 });
    for (const f of many) {
      dense.addFact(f);
      sparse.addFact(f);
    }
    expect(sparse.userRows(1, users, 2024)).toEqual(dense.userRows(1, users, 2024));
    expect(sparse.serviceRows(1, services, services)).toEqual(dense.serviceRows(1, services, services));
  });
});
