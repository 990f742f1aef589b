/**
 * The dashboard's numbers over a warehouse with known feedback, lists, registry and ledger, on SQLite and the real
 * MariaDB: windows of the rollups give the SQL definitions' figures over fact_feedback (FeedbackStatsRepo), coverage
 * and fallback share come from the lists served, offline metrics from each version's run.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DashboardData } from '../../src/monitoring/index.ts';
import { FeedbackRepo, FeedbackStatsRepo, migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { storedFeedbackRow } from '../support/feedback-events.ts';
import { servedList } from '../support/served-list.ts';

/** The dashboard's now: 2026-03-02 10:30 UTC. */
const NOW = new Date('2026-03-02T10:30:00Z');
const at = (hoursAgo: number) => new Date(NOW.getTime() - hoursAgo * 3_600_000).toISOString().replace('T', ' ').replace('Z', '');

describe.each(warehouseBackends())('dashboard data on $name', (backend) => {
  describe.skipIf(!backend.available)('', () => {
    let url: string;
    let warehouse: Warehouse;
    let data: DashboardData;

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('dashboard_data');
      warehouse = await openWarehouse({ url });
      await migrateToLatest(warehouse);
      const db = warehouse.db;
      await db
        .insertInto('ingestFile')
        .values([
          ...[0, 1].map((i) => ({
            objectKey: `landing/f${i}.csv`,
            sha256: `h${i}`,
            sizeBytes: 10,
            sourceEtag: null,
            kind: 'reservations' as const,
            status: i === 0 ? ('loaded' as const) : ('rejected' as const),
            rowsTotal: 12,
            rowsOk: 10,
            rowsRejected: 2,
            rejectsByCode: JSON.stringify({ BAD_DATE: 1, UNKNOWN_STATUS: i }),
            backupKey: null,
            quarantineKey: i === 0 ? 'quarantine/f0.csv' : null,
            duplicateOfFileId: null,
            message: null,
            detectedAt: at(5 + i * 0.1),
            startedAt: null,
            finishedAt: at(4.9),
          })),
          {
            objectKey: 'landing/old.csv',
            sha256: 'old',
            sizeBytes: 1,
            sourceEtag: null,
            kind: 'reservations' as const,
            status: 'loaded' as const,
            rowsTotal: 99,
            rowsOk: 99,
            rowsRejected: 0,
            rejectsByCode: '{}',
            backupKey: null,
            quarantineKey: null,
            duplicateOfFileId: null,
            message: null,
            detectedAt: at(50),
            startedAt: null,
            finishedAt: at(50),
          },
        ])
        .execute();
      await db.insertInto('dimCategory').values({ categoryName: 'hair' }).execute();
      const category = Number((await db.selectFrom('dimCategory').select('categoryKey').executeTakeFirstOrThrow()).categoryKey);
      const T = '2026-03-01 00:00:00.000';
      const file = Number(
        (
          await db
            .selectFrom('ingestFile')
            .select((eb) => eb.fn.min('fileId').as('id'))
            .executeTakeFirstOrThrow()
        ).id,
      );
      await db
        .insertInto('dimService')
        .values(
          Array.from({ length: 10 }, (_, i) => ({
            serviceId: `S${i}`,
            name: `s${i}`,
            categoryKey: category,
            regionKey: null,
            price: 10,
            createdAt: T,
            sourceFileId: file,
            updatedAt: T,
          })),
        )
        .execute();
      // shop v1 (served, alias champion) and v2; v1's run logged hold-out metrics.
      await db
        .insertInto('registryVersion')
        .values([
          { modelName: 'shop', version: 1, runId: 'run1', status: 'active', createdAt: at(48) },
          { modelName: 'shop', version: 2, runId: 'run2', status: 'active', createdAt: at(2) },
        ])
        .execute();
      await db
        .insertInto('registryAlias')
        .values({ modelName: 'shop', alias: 'champion', version: 1, updatedAt: at(40) })
        .execute();
      await db
        .insertInto('registryEvent')
        .values([
          { modelName: 'shop', action: 'register', version: 1, alias: null, previousVersion: null, actor: 'ci', reason: 'first', at: at(48) },
          { modelName: 'shop', action: 'promote', version: 1, alias: 'champion', previousVersion: null, actor: 'ana', reason: 'better NDCG', at: at(40) },
        ])
        .execute();
      await db
        .insertInto('trackMetric')
        .values([
          { runId: 'run1', name: 'holdout.ndcg', step: 0, value: 0.25 },
          { runId: 'run1', name: 'popularity.ndcg', step: 0, value: 0.2 },
        ])
        .execute();
      const repo = new FeedbackRepo(warehouse);
      // Lists: v1 shows S0..S2 (one by the popularity fallback), v2 shows S3 within the last hour.
      await repo.insertServedLists([
        servedList(
          'r1',
          [
            ['S0', 1],
            ['S1', 0.5],
          ],
          { createdAt: at(3) },
        ),
        servedList('r2', [['S2', 1]], { createdAt: at(3), basis: 'popular' }),
        servedList('r3', [['S3', 1]], { createdAt: at(0.1), registryVersion: 2 }),
      ]);
      const v1 = { attribution: 'list', modelName: 'shop', modelVersion: 1, basis: 'model' };
      let n = 0;
      const events = (count: number, type: string, hoursAgo: number, extra: object = v1) =>
        Array.from({ length: count }, () => storedFeedbackRow({ eventId: `e${n++}`, type, at: at(hoursAgo), ...extra }));
      await repo.inTransaction((r) =>
        r.insertEvents([
          ...events(10, 'impression', 3),
          ...events(4, 'select', 3),
          ...events(1, 'cancel', 2),
          ...events(2, 'reserve', 2),
          ...events(5, 'impression', 30), // outside 24h, inside 7d
          ...events(3, 'impression', 0.2, { attribution: 'none' }),
          ...events(2, 'impression', 0.2, { ...v1, modelVersion: 2 }),
          ...events(1, 'select', 0.2, { ...v1, modelVersion: 2 }),
        ]),
      );
      data = new DashboardData({ warehouse, clock: () => NOW, servingModel: async () => ({ name: 'shop', version: 1 }) });
    });
    afterAll(async () => {
      await warehouse?.close();
      await backend.dropDatabase(url);
    });

    it('summarises each model version and basis in a window with the SQL definitions of the metrics', async () => {
      const { rows, window, generatedAt } = await data.summary('24h');
      expect({ window, generatedAt }).toEqual({ window: '24h', generatedAt: NOW.toISOString() });
      const v1 = rows.find((r) => r.version === 1 && r.basis === 'model')!;
      expect(v1).toMatchObject({ model: 'shop', impressions: 10, selects: 4, cancels: 1, reserves: 2, completes: 0, lists: 1, items: 2, serving: true });
      expect(v1.selectRate).toBeCloseTo(0.4);
      expect(v1.cancelRate).toBeCloseTo(0.25);
      expect(v1.netSatisfaction).toBeCloseTo(3 / 5);
      expect(v1.unattributedShare).toBe(0);
      // v1 showed S0, S1, S2 of 10 services; one of its two lists came from the popularity fallback.
      expect(v1.coverage).toBeCloseTo(0.3);
      expect(v1.fallbackShare).toBeCloseTo(0.5);
      expect(v1.offline!.ndcgAt10).toBeCloseTo(0.25);
      expect(v1.offline!.liftOverPopularity).toBeCloseTo(25);
      expect(rows.find((r) => r.version === 1 && r.basis === 'popular')).toMatchObject({ lists: 1, items: 1, impressions: 0, selectRate: null });
      const v2 = rows.find((r) => r.version === 2)!;
      expect(v2).toMatchObject({ impressions: 2, selects: 1, serving: false, offline: { ndcgAt10: null, liftOverPopularity: null } });
      expect(rows.find((r) => r.model === null)).toMatchObject({ version: null, basis: null, impressions: 3, unattributedShare: 1, offline: null });
      // The same figures as `pickwise feedback stats --by model` over fact_feedback since the window's first hour.
      const stats = await new FeedbackStatsRepo(warehouse).stats({ since: '2026-03-01 11:00:00.000', by: 'model' });
      const s1 = stats.find((s) => s.group === 'shop' && s.modelVersion === 1)!;
      expect([v1.selectRate, v1.cancelRate, v1.netSatisfaction]).toEqual([s1.selectRate, s1.cancelRate, s1.netSatisfaction]);
    });

    it('counts whole hours: 1h is the current hour, 7d reaches events 30 hours old', async () => {
      const hour = await data.summary('1h');
      expect(hour.rows.map((r) => [r.model, r.version, r.basis, r.impressions]).sort()).toEqual([
        [null, null, null, 3],
        ['shop', 2, 'model', 2],
      ]);
      const week = await data.summary('7d');
      expect(week.rows.find((r) => r.version === 1 && r.basis === 'model')!.impressions).toBe(15);
    });

    it('gives satisfaction per version by hour and by day, and the funnel overall and per version', async () => {
      const byHour = await data.satisfaction({ window: '24h', bucket: 'hour' });
      const v1 = byHour.series.find((s) => s.version === 1)!;
      expect(v1.points).toEqual([
        { t: '2026-03-02T07:00:00.000Z', impressions: 10, selects: 4, cancels: 0, selectRate: 0.4, cancelRate: 0, netSatisfaction: 1 },
        { t: '2026-03-02T08:00:00.000Z', impressions: 0, selects: 0, cancels: 1, selectRate: null, cancelRate: null, netSatisfaction: -1 },
      ]);
      const byDay = await data.satisfaction({ window: '7d', bucket: 'day' });
      expect(byDay.series.find((s) => s.version === 1)!.points.map((p) => p)).toEqual([
        { t: '2026-03-01T00:00:00.000Z', impressions: 5, selects: 0, cancels: 0, selectRate: 0, cancelRate: null, netSatisfaction: null },
        { t: '2026-03-02T00:00:00.000Z', impressions: 10, selects: 4, cancels: 1, selectRate: 0.4, cancelRate: 0.25, netSatisfaction: 0.6 },
      ]);
      const funnel = await data.funnel('24h');
      expect(funnel.steps).toEqual([
        { type: 'impression', events: 15 },
        { type: 'select', events: 5 },
        { type: 'cancel', events: 1 },
        { type: 'reserve', events: 2 },
        { type: 'complete', events: 0 },
      ]);
      expect(funnel.byModel.map((m) => [m.model, m.version, m.steps[0]!.events])).toEqual([
        [null, null, 3],
        ['shop', 1, 10],
        ['shop', 2, 2],
      ]);
    });

    it('shares an answer for the cache time, then reads again', async () => {
      let now = NOW.getTime();
      const cached = new DashboardData({ warehouse, clock: () => new Date(now), cacheSeconds: 5, servingModel: async () => undefined });
      const first = await cached.funnel('1h');
      await new FeedbackRepo(warehouse).inTransaction((r) => r.insertEvents([storedFeedbackRow({ eventId: 'late-cache', at: at(0) })]));
      now += 4_000;
      expect(await cached.funnel('1h')).toBe(first);
      now += 1_000;
      const again = await cached.funnel('1h');
      expect(again.steps[0]!.events).toBe(first.steps[0]!.events + 1);
    });

    it('reports pipeline health: the last ingest run, data and model ages, and the registry with who promoted what and why', async () => {
      const pipeline = await data.pipeline();
      expect(pipeline.lastIngest).toEqual({
        at: new Date(NOW.getTime() - 4.9 * 3_600_000).toISOString(),
        files: 2,
        rows: 20,
        rejectedRows: 4,
        rejectedByReason: { BAD_DATE: 2, UNKNOWN_STATUS: 1 },
        quarantined: 1,
        failed: 0,
      });
      expect(pipeline).toMatchObject({ dataAgeHours: null, featureSnapshotAgeHours: null, tuningStudiesRunning: 0, newestReservationAt: null });
      expect(pipeline.models).toEqual([{ name: 'shop', version: 1, ageHours: 48 }]);
      const registry = await data.registry();
      expect(registry.models).toHaveLength(1);
      expect(registry.models[0]!.versions.map((v) => [v.version, v.metrics.ndcgAt10])).toEqual([
        [1, 0.25],
        [2, null],
      ]);
      expect(registry.models[0]!.aliases).toEqual([{ alias: 'champion', version: 1 }]);
      expect(registry.models[0]!.events[0]).toEqual({
        at: new Date(NOW.getTime() - 40 * 3_600_000).toISOString(),
        action: 'promote',
        version: 1,
        alias: 'champion',
        actor: 'ana',
        reason: 'better NDCG',
      });
    });
  });
});
