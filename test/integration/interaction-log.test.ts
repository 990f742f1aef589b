import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_WEIGHTING, IdIndex, interactionWeight, loadInteractionLog, parseWarehouseTime } from '../../src/features/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, RESERVATIONS_HEADER, servicesCsv, usersCsv, type IngestFixture } from '../support/ingest-fixture.ts';

describe('interaction weights', () => {
  it('weighs completed over reserved, drops canceled, folds in ratings and decays with age', () => {
    expect(interactionWeight(DEFAULT_WEIGHTING, 'completed', null, 0)).toBe(1);
    expect(interactionWeight(DEFAULT_WEIGHTING, 'reserved', null, 0)).toBe(0.5);
    expect(interactionWeight(DEFAULT_WEIGHTING, 'canceled', 5, 0)).toBe(0);
    expect(interactionWeight(DEFAULT_WEIGHTING, 'completed', 5, 0)).toBe(1.5); // 1 + 0.5·(5−3)/2
    expect(interactionWeight(DEFAULT_WEIGHTING, 'completed', 1, 0)).toBe(0.5);
    const decayed = { ...DEFAULT_WEIGHTING, halfLifeDays: 30 };
    expect(interactionWeight(decayed, 'completed', null, 30 * 86_400_000)).toBeCloseTo(0.5, 10);
  });

  it('parses warehouse timestamps as UTC', () => {
    expect(parseWarehouseTime('2024-05-31 23:30:00.250')).toBe(Date.UTC(2024, 4, 31, 23, 30, 0, 250));
    expect(parseWarehouseTime('2024-05-31 23:30:00')).toBe(Date.UTC(2024, 4, 31, 23, 30, 0));
    expect(parseWarehouseTime('2024-02-29 00:00:00.999')).toBe(Date.UTC(2024, 1, 29, 0, 0, 0, 999));
    expect(parseWarehouseTime('1969-12-31 23:59:59.000')).toBe(-1000);
    expect(parseWarehouseTime(new Date(Date.UTC(2025, 0, 2)))).toBe(Date.UTC(2025, 0, 2));
    // Text not of the warehouse's shape takes the general path: a stray character is NaN, never a wrong date.
    expect(parseWarehouseTime('2024-05-3x 23:30:00.250')).toBeNaN();
  });

  it('maps external ids to dense ids in first-seen order and back', () => {
    const index = IdIndex.from(['b', 'a', 'b', 'c']);
    expect(index.size).toBe(3);
    expect([index.get('b'), index.get('a'), index.get('c'), index.get('zz')]).toEqual([0, 1, 2, undefined]);
    expect(index.externalId(1)).toBe('a');
    expect(() => index.externalId(3)).toThrow(RangeError);
  });
});

describe.each(warehouseBackends())('interaction log from the warehouse on $name', (backend) => {
  describe.skipIf(!backend.available)('load', () => {
    let fx: IngestFixture;
    let url: string;
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('ilog');
      fx = await createIngestFixture(url);
      await fx.land('users.csv', usersCsv(3));
      await fx.land('services.csv', servicesCsv(3));
      await fx.land(
        'reservations.csv',
        [
          RESERVATIONS_HEADER,
          'r1,u1,s1,completed,2024-03-01T00:00:00Z,5',
          'r2,u1,s2,canceled,2024-03-02T00:00:00Z,',
          'r3,u2,s2,reserved,2024-03-03T00:00:00Z,',
          'r4,u2,s3,completed,2024-03-04T12:00:00Z,',
        ].join('\n') + '\n',
      );
      await fx.ingest();
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    it('streams weighted interactions with dense ids, dropping canceled ones', async () => {
      const log = await loadInteractionLog(fx.warehouse);
      expect(log.users.size).toBe(3);
      expect(log.items.size).toBe(3);
      expect(log.count).toBe(3);
      const rows = Array.from({ length: log.count }, (_, n) => [
        log.users.externalId(log.user[n]!),
        log.items.externalId(log.item[n]!),
        log.value[n],
        log.time[n],
      ]);
      expect(rows).toEqual([
        ['u1', 's1', 1.5, Date.UTC(2024, 2, 1)],
        ['u2', 's2', 0.5, Date.UTC(2024, 2, 3)],
        ['u2', 's3', 1, Date.UTC(2024, 2, 4, 12)],
      ]);
      const region = await fx.warehouse.db.selectFrom('dimRegion').select('regionKey').where('regionName', '=', 'Seoul-Gangnam').executeTakeFirstOrThrow();
      expect([...log.userRegion]).toEqual([1, 1, 1].map(() => Number(region.regionKey)));
    });

    it('reads only interactions since a time', async () => {
      const log = await loadInteractionLog(fx.warehouse, { since: '2024-03-03 00:00:00.000' });
      expect(log.count).toBe(2);
    });
  });
});
