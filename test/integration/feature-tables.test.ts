import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ageBand, buildFeatureTables, KEPT_FEATURE_SNAPSHOTS, latestFeatureSnapshot } from '../../src/features/index.ts';
import type { Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, RESERVATIONS_HEADER, SERVICES_HEADER, USERS_HEADER, type IngestFixture } from '../support/ingest-fixture.ts';
import { runCli } from '../support/run-cli.ts';

const USERS = [
  USERS_HEADER,
  'u1,2023-01-01T00:00:00Z,F,1990,Seoul',
  'u2,2023-01-01T00:00:00Z,M,,Busan',
  'u3,2023-01-01T00:00:00Z,X,2000,',
  'u4,2023-01-01T00:00:00Z,F,1985,Seoul', // no reservations
].join('\n');

// beauty: 3 prices → one per tercile. fitness: 5, two sharing the lowest price.
const SERVICES = [
  SERVICES_HEADER,
  'b1,Cut,beauty,Seoul,10000,2023-01-01T00:00:00Z',
  'b2,Colour,beauty,Seoul,20000,2023-01-01T00:00:00Z',
  'b3,Perm,beauty,Busan,30000,2023-01-01T00:00:00Z',
  'f1,Yoga,fitness,Seoul,5000,2023-01-01T00:00:00Z',
  'f2,Pilates,fitness,Seoul,5000,2023-01-01T00:00:00Z',
  'f3,Gym,fitness,Busan,9000,2023-01-01T00:00:00Z',
  'f4,Swim,fitness,,12000,2023-01-01T00:00:00Z',
  'f5,Climb,fitness,Busan,15000,2023-01-01T00:00:00Z', // no reservations
].join('\n');

// as_of = 2024-03-31 12:00; the 7-day window starts 2024-03-24 12:00, the 30-day one 2024-03-01 12:00 (both inclusive).
const RESERVATIONS = [
  RESERVATIONS_HEADER,
  'r1,u1,b1,completed,2024-03-31T12:00:00Z,5',
  'r2,u1,b1,completed,2024-03-24T12:00:00Z,4', // exactly at the 7-day cut-off
  'r3,u1,f1,completed,2024-03-20T00:00:00Z,',
  'r4,u1,f1,completed,2024-03-01T12:00:00Z,3', // exactly at the 30-day cut-off
  'r5,u1,b2,canceled,2024-03-30T00:00:00Z,',
  'r6,u1,f3,completed,2024-02-01T00:00:00Z,',
  'r7,u2,b1,reserved,2024-03-30T00:00:00Z,',
  'r8,u2,b1,canceled,2024-03-29T00:00:00Z,',
  'r9,u2,f2,completed,2024-03-10T00:00:00Z,2',
  'r10,u2,b3,completed,2024-01-15T00:00:00Z,',
  'r11,u2,b1,completed,2024-03-01T11:59:59.999Z,', // 1 ms before the 30-day cut-off
  'r12,u3,b2,completed,2024-03-25T00:00:00Z,',
  'r13,u3,f4,completed,2024-03-26T00:00:00Z,1',
].join('\n');

describe('age bands', () => {
  it('are decades of age in the reference year, null when unknown or not born yet', () => {
    expect(ageBand(1990, 2024)).toBe('30-39');
    expect(ageBand(2000, 2024)).toBe('20-29');
    expect(ageBand(2014, 2024)).toBe('10-19');
    expect(ageBand(2024, 2024)).toBe('0-9');
    expect(ageBand(null, 2024)).toBeNull();
    expect(ageBand(2025, 2024)).toBeNull();
  });
});

async function keysOf(
  warehouse: Warehouse,
): Promise<{ user: Map<string, number>; service: Map<string, number>; category: Map<string, number>; region: Map<string, number> }> {
  const { db } = warehouse;
  const map = (rows: { k: string; v: number }[]) => new Map(rows.map((r) => [r.k, Number(r.v)]));
  return {
    user: map(await db.selectFrom('dimUser').select(['userId as k', 'userKey as v']).execute()),
    service: map(await db.selectFrom('dimService').select(['serviceId as k', 'serviceKey as v']).execute()),
    category: map(await db.selectFrom('dimCategory').select(['categoryName as k', 'categoryKey as v']).execute()),
    region: map(await db.selectFrom('dimRegion').select(['regionName as k', 'regionKey as v']).execute()),
  };
}

describe.each(warehouseBackends())('feature tables on $name', (backend) => {
  describe.skipIf(!backend.available)('build', () => {
    let fx: IngestFixture;
    let url: string;
    let keys: Awaited<ReturnType<typeof keysOf>>;
    let firstSnapshotId: number;
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('features');
      fx = await createIngestFixture(url);
      await fx.land('users.csv', USERS);
      await fx.land('services.csv', SERVICES);
      await fx.land('reservations.csv', RESERVATIONS);
      await fx.ingest();
      keys = await keysOf(fx.warehouse);
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    const userRow = (snapshotId: number, userId: string) =>
      fx.warehouse.db
        .selectFrom('featUser')
        .selectAll()
        .where('snapshotId', '=', snapshotId)
        .where('userKey', '=', keys.user.get(userId)!)
        .executeTakeFirstOrThrow();
    const serviceRow = (snapshotId: number, serviceId: string) =>
      fx.warehouse.db
        .selectFrom('featService')
        .selectAll()
        .where('snapshotId', '=', snapshotId)
        .where('serviceKey', '=', keys.service.get(serviceId)!)
        .executeTakeFirstOrThrow();

    it('records a snapshot as of the newest reservation, with one row per user and per service', async () => {
      const built = await buildFeatureTables(fx.warehouse, { clock: () => new Date('2024-04-01T08:00:00Z') });
      firstSnapshotId = built.snapshotId;
      expect(built).toMatchObject({ asOf: '2024-03-31 12:00:00.000', users: 4, services: 8 });
      expect(built.seconds).toBeGreaterThanOrEqual(0);
      expect(await latestFeatureSnapshot(fx.warehouse)).toEqual({
        snapshotId: built.snapshotId,
        asOf: '2024-03-31 12:00:00.000',
        builtAt: '2024-04-01 08:00:00.000',
        users: 4,
        services: 8,
      });
    });

    it('aggregates each user: counts, cancel rate, last reservation, region, age band, favourite categories', async () => {
      const beauty = keys.category.get('beauty')!;
      const fitness = keys.category.get('fitness')!;
      const u1 = await userRow(firstSnapshotId, 'u1');
      expect({ ...u1, cancelRate: undefined }).toEqual({
        snapshotId: firstSnapshotId,
        userKey: keys.user.get('u1'),
        reservations: 6,
        completed: 5,
        canceled: 1,
        cancelRate: undefined,
        lastReservedAt: '2024-03-31 12:00:00.000',
        regionKey: keys.region.get('Seoul'),
        ageBand: '30-39',
        favouriteCategoryKeys: `${fitness},${beauty}`,
      });
      expect(u1.cancelRate).toBeCloseTo(1 / 6, 12);

      expect(await userRow(firstSnapshotId, 'u2')).toMatchObject({
        reservations: 5,
        completed: 3,
        canceled: 1,
        cancelRate: 0.2,
        lastReservedAt: '2024-03-30 00:00:00.000',
        regionKey: keys.region.get('Busan'),
        ageBand: null,
        favouriteCategoryKeys: `${beauty},${fitness}`,
      });
      // A 1–1 tie between categories lists the lower key first.
      expect(await userRow(firstSnapshotId, 'u3')).toMatchObject({
        reservations: 2,
        completed: 2,
        canceled: 0,
        cancelRate: 0,
        regionKey: null,
        ageBand: '20-29',
        favouriteCategoryKeys: `${Math.min(beauty, fitness)},${Math.max(beauty, fitness)}`,
      });
      expect(await userRow(firstSnapshotId, 'u4')).toMatchObject({
        reservations: 0,
        completed: 0,
        canceled: 0,
        cancelRate: 0,
        lastReservedAt: null,
        ageBand: '30-39',
        favouriteCategoryKeys: '',
      });
    });

    it('aggregates each service: 7/30-day windows ending at as-of, rates, ratings, price tercile within the category', async () => {
      const beauty = keys.category.get('beauty')!;
      const fitness = keys.category.get('fitness')!;
      expect(await serviceRow(firstSnapshotId, 'b1')).toEqual({
        snapshotId: firstSnapshotId,
        serviceKey: keys.service.get('b1'),
        reservationsLast7d: 3,
        reservationsLast30d: 3,
        reservationsAll: 4,
        completed: 3,
        canceled: 1,
        completionRate: 0.6,
        cancelRate: 0.2,
        ratingMean: 4.5,
        ratingCount: 2,
        categoryKey: beauty,
        regionKey: keys.region.get('Seoul'),
        priceBand: 'low',
      });
      expect(await serviceRow(firstSnapshotId, 'b2')).toMatchObject({
        reservationsLast7d: 1,
        reservationsLast30d: 1,
        reservationsAll: 1,
        completed: 1,
        canceled: 1,
        completionRate: 0.5,
        cancelRate: 0.5,
        ratingMean: null,
        ratingCount: 0,
        priceBand: 'mid',
      });
      expect(await serviceRow(firstSnapshotId, 'b3')).toMatchObject({
        reservationsLast7d: 0,
        reservationsLast30d: 0,
        reservationsAll: 1,
        completionRate: 1,
        priceBand: 'high',
      });
      expect(await serviceRow(firstSnapshotId, 'f1')).toMatchObject({
        reservationsLast7d: 0,
        reservationsLast30d: 2,
        reservationsAll: 2,
        completed: 2,
        canceled: 0,
        completionRate: 1,
        cancelRate: 0,
        ratingMean: 3,
        ratingCount: 1,
        categoryKey: fitness,
        priceBand: 'low',
      });
      expect(await serviceRow(firstSnapshotId, 'f2')).toMatchObject({
        reservationsLast7d: 0,
        reservationsLast30d: 1,
        reservationsAll: 1,
        ratingMean: 2,
        priceBand: 'low',
      });
      expect(await serviceRow(firstSnapshotId, 'f3')).toMatchObject({ reservationsLast30d: 0, reservationsAll: 1, priceBand: 'mid' });
      expect(await serviceRow(firstSnapshotId, 'f4')).toMatchObject({
        reservationsLast7d: 1,
        reservationsLast30d: 1,
        ratingMean: 1,
        regionKey: null,
        priceBand: 'mid',
      });
      expect(await serviceRow(firstSnapshotId, 'f5')).toMatchObject({
        reservationsLast7d: 0,
        reservationsLast30d: 0,
        reservationsAll: 0,
        completed: 0,
        canceled: 0,
        completionRate: 0,
        cancelRate: 0,
        ratingMean: null,
        ratingCount: 0,
        priceBand: 'high',
      });
    });

    it('builds a new snapshot from new data, leaves the previous one as it was, and keeps only the latest 3', async () => {
      await fx.land('reservations-2.csv', [RESERVATIONS_HEADER, 'r14,u4,f5,reserved,2024-04-02T09:30:00Z,'].join('\n'));
      await fx.ingest();
      const second = await buildFeatureTables(fx.warehouse);
      expect(second.snapshotId).toBeGreaterThan(firstSnapshotId);
      expect(second.asOf).toBe('2024-04-02 09:30:00.000');
      expect(await userRow(second.snapshotId, 'u4')).toMatchObject({ reservations: 1, lastReservedAt: '2024-04-02 09:30:00.000' });
      expect(await serviceRow(second.snapshotId, 'f5')).toMatchObject({ reservationsLast7d: 1, reservationsAll: 1 });
      // b1's reservations from 2024-03-24 12:00 fell out of the window that now starts 2024-03-26 09:30.
      expect(await serviceRow(second.snapshotId, 'b1')).toMatchObject({ reservationsLast7d: 2 });
      expect(await userRow(firstSnapshotId, 'u4')).toMatchObject({ reservations: 0 });

      const third = await buildFeatureTables(fx.warehouse);
      const fourth = await buildFeatureTables(fx.warehouse);
      const { db } = fx.warehouse;
      const ids = (await db.selectFrom('featSnapshot').select('snapshotId').orderBy('snapshotId').execute()).map((r) => Number(r.snapshotId));
      expect(ids).toEqual([second.snapshotId, third.snapshotId, fourth.snapshotId]);
      expect(ids).toHaveLength(KEPT_FEATURE_SNAPSHOTS);
      const distinct = async (table: 'featUser' | 'featService') =>
        (await db.selectFrom(table).select('snapshotId').distinct().orderBy('snapshotId').execute()).map((r) => Number(r.snapshotId));
      expect(await distinct('featUser')).toEqual(ids);
      expect(await distinct('featService')).toEqual(ids);
      expect((await latestFeatureSnapshot(fx.warehouse))?.snapshotId).toBe(fourth.snapshotId);
    });
  });

  describe.skipIf(!backend.available)('incremental builds', () => {
    let fx: IngestFixture;
    let url: string;
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('features_incr');
      fx = await createIngestFixture(url);
      await fx.land('users.csv', USERS);
      await fx.land('services.csv', SERVICES);
      await fx.land('reservations.csv', RESERVATIONS);
      await fx.ingest();
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    /** A snapshot's rows without its id, in key order: what must not depend on how it was built. */
    const rowsOf = async (snapshotId: number) => {
      const { db } = fx.warehouse;
      const strip = <T extends { snapshotId: number }>(rows: T[]) => rows.map(({ snapshotId: _id, ...rest }) => rest);
      return {
        users: strip(await db.selectFrom('featUser').selectAll().where('snapshotId', '=', snapshotId).orderBy('userKey').execute()),
        services: strip(await db.selectFrom('featService').selectAll().where('snapshotId', '=', snapshotId).orderBy('serviceKey').execute()),
      };
    };
    const tick = () => new Promise((resolve) => setTimeout(resolve, 5)); // a later updated_at for the next load

    it('runs in full when there is no earlier snapshot, then recomputes only what new files touched, equal to a full build', async () => {
      const first = await buildFeatureTables(fx.warehouse, { incremental: true });
      expect(first).toMatchObject({ mode: 'full', fullBecause: 'there is no earlier snapshot', recomputedUsers: 4, recomputedServices: 8 });

      const unchanged = await buildFeatureTables(fx.warehouse, { incremental: true });
      expect(unchanged).toMatchObject({ mode: 'incremental', recomputedUsers: 0, recomputedServices: 0, users: 4, services: 8 });
      expect(await rowsOf(unchanged.snapshotId)).toEqual(await rowsOf(first.snapshotId));

      await tick();
      // A new user, a status update (r7 reserved → completed) and a new reservation on the same day as as-of.
      await fx.land('users-2.csv', [USERS_HEADER, 'u5,2023-06-01T00:00:00Z,M,1995,Busan'].join('\n'));
      await fx.land(
        'reservations-2.csv',
        [RESERVATIONS_HEADER, 'r7,u2,b1,completed,2024-03-30T00:00:00Z,4', 'r14,u5,b3,completed,2024-03-31T08:00:00Z,'].join('\n'),
      );
      await fx.ingest();
      const incremental = await buildFeatureTables(fx.warehouse, { incremental: true });
      const full = await buildFeatureTables(fx.warehouse);
      expect(incremental).toMatchObject({ mode: 'incremental', users: 5, services: 8, recomputedUsers: 2, recomputedServices: 2 });
      expect(full).toMatchObject({ mode: 'full', recomputedUsers: 5, recomputedServices: 8 });
      expect(await rowsOf(incremental.snapshotId)).toEqual(await rowsOf(full.snapshotId));
      const snapshot = await fx.warehouse.db.selectFrom('featSnapshot').selectAll().where('snapshotId', '=', incremental.snapshotId).executeTakeFirstOrThrow();
      expect(snapshot).toMatchObject({ buildMode: 'incremental', recomputedUsers: 2, recomputedServices: 2 });
    });

    it('recomputes services whose windows moved with as-of, and the whole category of a re-priced service', async () => {
      await tick();
      await fx.land('services-2.csv', [SERVICES_HEADER, 'f3,Gym,fitness,Busan,4000,2023-01-01T00:00:00Z'].join('\n'));
      await fx.land('reservations-3.csv', [RESERVATIONS_HEADER, 'r15,u3,b2,completed,2024-04-20T00:00:00Z,'].join('\n'));
      await fx.ingest();
      const incremental = await buildFeatureTables(fx.warehouse, { incremental: true, maxIncrementalShare: 1 });
      const full = await buildFeatureTables(fx.warehouse);
      expect(incremental.mode).toBe('incremental');
      // All five fitness services (price bands) and the beauty services with reservations in the 30 days before the old as-of.
      expect(incremental.recomputedServices).toBe(8);
      expect(await rowsOf(incremental.snapshotId)).toEqual(await rowsOf(full.snapshotId));

      // Re-pricing f1 touches the five fitness services: more than a fifth of the 13 rows.
      await tick();
      await fx.land('services-4.csv', [SERVICES_HEADER, 'f1,Yoga,fitness,Seoul,6000,2023-01-01T00:00:00Z'].join('\n'));
      await fx.ingest();
      expect(await buildFeatureTables(fx.warehouse, { incremental: true, maxIncrementalShare: 0.2 })).toMatchObject({
        mode: 'full',
        fullBecause: 'most rows changed (5 of 13)',
      });
    });

    it('runs in full when a service changes category', async () => {
      await tick();
      await fx.land('services-3.csv', [SERVICES_HEADER, 'f4,Swim,beauty,,12000,2023-01-01T00:00:00Z'].join('\n'));
      await fx.ingest();
      const built = await buildFeatureTables(fx.warehouse, { incremental: true });
      expect(built).toMatchObject({ mode: 'full', fullBecause: 'a service changed category' });
    });
  });

  describe.skipIf(!backend.available)('on an empty warehouse', () => {
    let fx: IngestFixture;
    let url: string;
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('features_empty');
      fx = await createIngestFixture(url);
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    it('has no snapshot before the first build, then a snapshot with no rows and a null as-of', async () => {
      expect(await latestFeatureSnapshot(fx.warehouse)).toBeUndefined();
      const built = await buildFeatureTables(fx.warehouse);
      expect(built).toMatchObject({ asOf: null, users: 0, services: 0 });
      expect(await latestFeatureSnapshot(fx.warehouse)).toMatchObject({ snapshotId: built.snapshotId, asOf: null, users: 0, services: 0 });
      expect(await fx.count('feat_user')).toBe(0);
      expect(await fx.count('feat_service')).toBe(0);
    });
  });
});

describe('pickwise features build', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-features-'));
  });
  afterAll(async () => rm(cwd, { recursive: true, force: true }));

  it('builds a snapshot after ingest, and again on demand (--json and text)', async () => {
    expect((await runCli(['generate', '--users', '120', '--services', '15', '--reservations', '1000'], { cwd })).code).toBe(0);
    const ingest = await runCli(['--json', 'ingest'], { cwd });
    expect(ingest.code).toBe(0);
    const loaded = JSON.parse(ingest.stdout) as { filesLoaded: number; features: { snapshotId: number; asOf: string; users: number; services: number } };
    expect(loaded.filesLoaded).toBe(3);
    expect(loaded.features).toMatchObject({ users: 120, services: 15 });
    expect(loaded.features.asOf).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);

    const again = await runCli(['--json', 'ingest'], { cwd });
    expect(JSON.parse(again.stdout)).not.toHaveProperty('features');

    const build = await runCli(['--json', 'features', 'build'], { cwd });
    expect(build.code).toBe(0);
    const summary = JSON.parse(build.stdout) as { snapshotId: number; asOf: string; users: number; services: number; seconds: number };
    expect(summary).toMatchObject({ snapshotId: loaded.features.snapshotId + 1, asOf: loaded.features.asOf, users: 120, services: 15 });
    expect(summary.seconds).toBeGreaterThanOrEqual(0);

    const text = await runCli(['features', 'build'], { cwd });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      new RegExp(`^feature snapshot #${summary.snapshotId + 1} as of ${summary.asOf}: 120 users, 15 services, full, in \\d+\\.\\d{2} s$`, 'm'),
    );
    const incremental = await runCli(['features', 'build', '--incremental'], { cwd });
    expect(incremental.stdout).toMatch(/120 users, 15 services, incremental: 0 users and 0 services recomputed, the rest carried over, in/);
  });

  it('skips the rebuild after ingest when features.afterIngest is false', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-features-off-'));
    try {
      await runCli(['generate', '--users', '30', '--services', '5', '--reservations', '200'], { cwd: dir });
      const r = await runCli(['--json', 'ingest'], { cwd: dir, env: { PICKWISE_FEATURES__AFTER_INGEST: 'false' } });
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toMatchObject({ filesLoaded: 3 });
      expect(JSON.parse(r.stdout)).not.toHaveProperty('features');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
