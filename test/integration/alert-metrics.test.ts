import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AlertRule } from '../../src/config/index.ts';
import { servingModelFromConfig, WarehouseMetricSource } from '../../src/monitoring/index.ts';
import { toUtcText } from '../../src/shared/index.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { ledgerRow } from '../support/ledger-row.ts';

const NOW = new Date('2026-06-02T12:00:00.000Z');
const ago = (hours: number) => toUtcText(new Date(NOW.getTime() - hours * 3_600_000));
const rule = (metric: AlertRule['metric'], scope = 'all', window = 86_400): AlertRule => ({
  name: 'r',
  metric,
  scope,
  op: '>',
  threshold: 0,
  window,
  minEvents: 0,
  for: 0,
  cooldown: 0,
  enabled: true,
});

/** Alert metrics read from a warehouse with known feedback, ledger entries and reservations, on every backend. */
describe.each(warehouseBackends())('alert metrics on $name', (backend) => {
  describe.skipIf(!backend.available)('alert metrics', () => {
    let url: string;
    let warehouse: Warehouse;
    let source: WarehouseMetricSource;
    let n = 0;
    const event = (o: { type: string; hoursAgo: number; model: [string, number] | null }) => ({
      eventId: `ev-${++n}`,
      recommendationId: null,
      userId: `u${n % 7}`,
      serviceId: `s${n % 5}`,
      userKey: null,
      serviceKey: null,
      dateKey: 20260602,
      type: o.type,
      at: ago(o.hoursAgo),
      receivedAt: ago(o.hoursAgo),
      attribution: o.model === null ? 'none' : 'list',
      modelName: o.model?.[0] ?? null,
      modelVersion: o.model?.[1] ?? null,
      basis: o.model === null ? null : 'model',
      rank: null,
      flags: '',
      undoesFeedbackId: null,
    });
    const many = (count: number, o: Parameters<typeof event>[0]) => Array.from({ length: count }, () => event(o));

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('alert_metrics');
      warehouse = await openWarehouse({ url, poolSize: 2, connectTimeoutSeconds: 10 });
      await migrateToLatest(warehouse);
      // als v1 (older, 30 h ago: outside a 24 h window too): 10 impressions, 4 selects, 0 cancels.
      // als v1 within 24 h: 20 impressions, 8 selects, 2 cancels → net satisfaction 6/10 = 0.6.
      // als v2 within 24 h: 40 impressions, 10 selects, 5 cancels → 5/15 = 0.333…; cancel rate 0.5; select rate 0.25.
      // 3 unattributed selects within 24 h.
      const rows = [
        ...many(10, { type: 'impression', hoursAgo: 30, model: ['als', 1] }),
        ...many(4, { type: 'select', hoursAgo: 30, model: ['als', 1] }),
        ...many(20, { type: 'impression', hoursAgo: 20, model: ['als', 1] }),
        ...many(8, { type: 'select', hoursAgo: 20, model: ['als', 1] }),
        ...many(2, { type: 'cancel', hoursAgo: 20, model: ['als', 1] }),
        ...many(40, { type: 'impression', hoursAgo: 2, model: ['als', 2] }),
        ...many(10, { type: 'select', hoursAgo: 2, model: ['als', 2] }),
        ...many(5, { type: 'cancel', hoursAgo: 1, model: ['als', 2] }),
        ...many(3, { type: 'select', hoursAgo: 3, model: null }),
      ];
      await warehouse.db.insertInto('factFeedback').values(rows).execute();
      const file = (key: string, status: 'failed' | 'rejected' | 'loaded', hoursAgo: number) =>
        ledgerRow({ objectKey: key, sha256: `h-${key}`, sizeBytes: 10, status, detectedAt: ago(hoursAgo) });
      await warehouse.db
        .insertInto('ingestFile')
        .values([file('a.csv', 'failed', 2), file('b.csv', 'failed', 48), file('c.csv', 'rejected', 5), file('d.csv', 'loaded', 1)])
        .execute();
      source = new WarehouseMetricSource({ warehouse, servingModel: servingModelFromConfig(warehouse, { alias: 'champion' }) });
    });
    afterAll(async () => {
      await warehouse?.close();
      await backend.dropDatabase(url);
    });

    it('reads feedback rates for the serving model (the newest attributed one), a named model and all', async () => {
      expect(await source.read(rule('cancel_rate', 'serving-model'), NOW)).toEqual({ ok: true, reading: { value: 0.5, events: 10, subject: 'als v2' } });
      expect(await source.read(rule('select_rate', 'model:als'), NOW)).toEqual({ ok: true, reading: { value: 0.25, events: 40, subject: 'als v2' } });
      const all = await source.read(rule('net_satisfaction'), NOW);
      // 21 selects, 7 cancels in 24 h over all lists and none: (21 − 7) / 28.
      expect(all).toEqual({ ok: true, reading: { value: 0.5, events: 28 } });
      expect(await source.read(rule('select_rate', 'model:bpr'), NOW)).toEqual({ ok: false, reason: 'no feedback on a list of model bpr in the window' });
    });

    it('compares net satisfaction with the previous version over the same window', async () => {
      const drop = await source.read(rule('net_satisfaction_drop_vs_previous', 'serving-model'), NOW);
      expect(drop).toMatchObject({ ok: true, reading: { events: 10, subject: 'als v2 vs v1' } });
      expect((drop as { reading: { value: number } }).reading.value).toBeCloseTo(0.6 - 1 / 3, 10);
      // Over 4 h only v2 has feedback: nothing to compare with.
      expect(await source.read(rule('net_satisfaction_drop_vs_previous', 'model:als', 4 * 3600), NOW)).toEqual({
        ok: false,
        reason: 'no feedback on an earlier version of als than v2 in the window to compare with',
      });
    });

    it('counts failed and rejected landing files in the window', async () => {
      expect(await source.read(rule('ingest_failed'), NOW)).toEqual({ ok: true, reading: { value: 1, events: 1 } });
      expect(await source.read(rule('ingest_failed', 'all', 72 * 3600), NOW)).toEqual({ ok: true, reading: { value: 2, events: 2 } });
      expect(await source.read(rule('files_rejected', 'all', 3600), NOW)).toEqual({ ok: true, reading: { value: 0, events: 0 } });
    });

    it('measures the age of the newest reservation, and says when there is none', async () => {
      expect(await source.read(rule('data_age_hours'), NOW)).toEqual({ ok: false, reason: 'no reservations in the warehouse yet' });
      await warehouse.db
        .insertInto('factReservation')
        .values({
          reservationId: 'r1',
          userKey: 1,
          serviceKey: 1,
          dateKey: 20260601,
          status: 'completed',
          reservedAt: ago(40),
          rating: null,
          sourceFileId: 1,
          updatedAt: ago(40),
        })
        .execute();
      const age = await source.read(rule('data_age_hours'), NOW);
      expect(age).toMatchObject({ ok: true, reading: { events: 1 } });
      expect((age as { reading: { value: number } }).reading.value).toBeCloseTo(40, 6);
    });

    it('names the serving model from serve.modelName and its alias, and says when the alias points nowhere', async () => {
      const named = new WarehouseMetricSource({ warehouse, servingModel: servingModelFromConfig(warehouse, { modelName: 'als', alias: 'champion' }) });
      expect(await named.read(rule('cancel_rate', 'serving-model'), NOW)).toEqual({
        ok: false,
        reason: 'no serving model known (no alias target, no attributed feedback in the window)',
      });
    });
  });
});
