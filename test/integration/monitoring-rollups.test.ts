/**
 * The rollups of migrations 0011 and 0012 on SQLite and the real MariaDB: back-filled from the facts already there, then kept
 * by FeedbackRepo in the transactions that write facts. After every step they equal a GROUP BY over the facts:
 * inserts, duplicates (not stored, not counted), replayed batches of lists, lists repeated within a batch, and late
 * events (an hour already rolled up).
 */
import { CompiledQuery, Migrator, type Insertable } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/warehouse/migrations/index.ts';
import { FeedbackRepo, migrateToLatest, MonitoringRepo, openWarehouse, type FactFeedbackTable, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { storedFeedbackRow } from '../support/feedback-events.ts';
import { servedList } from '../support/served-list.ts';

const BEFORE = '0010-packed-impressions';

const migrator = (w: Warehouse) =>
  new Migrator({
    db: w.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migration',
    migrationLockTableName: 'schema_migration_lock',
  });

const TYPES = ['impression', 'select', 'cancel', 'reserve'] as const;

/** Event i: one of 3 hours, 2 models (or none), 4 types. */
function event(i: number, prefix = 'e'): Insertable<FactFeedbackTable> {
  const attributed = i % 3 !== 0;
  return storedFeedbackRow({
    eventId: `${prefix}${i}`,
    userId: `U${i % 5}`,
    type: TYPES[i % TYPES.length]!,
    at: `2026-03-02 ${String(8 + (i % 3)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}:00.000`,
    attribution: attributed ? 'list' : 'none',
    modelName: attributed ? (i % 2 === 0 ? 'shop' : 'beauty') : null,
    modelVersion: attributed ? 1 + (i % 2) : null,
    basis: attributed ? 'model' : null,
  });
}

function list(i: number) {
  return servedList(
    `r${String(i).padStart(4, '0')}`,
    Array.from({ length: i % 4 }, (_, r): [string, number] => [`S${(i + r) % 9}`, 1 - r / 10]),
    {
      modelName: i % 5 === 0 ? null : 'shop',
      registryVersion: i % 5 === 0 ? null : 1 + (i % 2),
      basis: i % 5 === 0 ? 'popular' : 'model',
      createdAt: `2026-03-0${1 + (i % 2)} ${String(10 + (i % 3)).padStart(2, '0')}:00:00.000`,
    },
  );
}

const key = (r: Record<string, unknown>) => Object.values(r).join('|');
const sorted = <T extends Record<string, unknown>>(rows: T[]) => [...rows].sort((a, b) => (key(a) < key(b) ? -1 : 1));

describe.each(warehouseBackends())('monitoring rollups on $name', (backend) => {
  describe.skipIf(!backend.available)('', () => {
    let url: string;
    let warehouse: Warehouse;

    /** The rollups as a GROUP BY over the facts, computed here from the facts' rows. */
    async function expected() {
      const facts = await warehouse.db.selectFrom('factFeedback').select(['at', 'modelName', 'modelVersion', 'basis', 'type', 'attribution']).execute();
      const feedback = new Map<
        string,
        { hourKey: number; modelName: string; modelVersion: number; basis: string; type: string; events: number; unattributed: number }
      >();
      for (const f of facts) {
        const at = String(f.at);
        const hourKey = Number(at.slice(0, 4) + at.slice(5, 7) + at.slice(8, 10) + at.slice(11, 13));
        const k = { hourKey, modelName: f.modelName ?? '', modelVersion: Number(f.modelVersion ?? 0), basis: f.basis ?? '', type: f.type };
        const g = feedback.get(key(k)) ?? { ...k, events: 0, unattributed: 0 };
        g.events++;
        if (f.attribution === 'none') g.unattributed++;
        feedback.set(key(k), g);
      }
      const lists = await warehouse.db
        .selectFrom('recList')
        .select(['recommendationId', 'createdAt', 'modelName', 'registryVersion', 'basis', 'itemCount'])
        .execute();
      const served = new Map<string, { hourKey: number; modelName: string; registryVersion: number; basis: string; lists: number; items: number }>();
      const meta = new Map<string, { hourKey: number; modelName: string; registryVersion: number }>();
      for (const l of lists) {
        const at = String(l.createdAt);
        const hourKey = Number(at.slice(0, 4) + at.slice(5, 7) + at.slice(8, 10) + at.slice(11, 13));
        const k = { hourKey, modelName: l.modelName ?? '', registryVersion: Number(l.registryVersion ?? 0), basis: l.basis };
        const g = served.get(key(k)) ?? { ...k, lists: 0, items: 0 };
        g.lists++;
        g.items += Number(l.itemCount);
        served.set(key(k), g);
        meta.set(l.recommendationId, { hourKey, modelName: k.modelName, registryVersion: k.registryVersion });
      }
      // The latest hour each version showed each service.
      const shown = new Map<string, { modelName: string; registryVersion: number; serviceId: string; lastHour: number }>();
      for (const i of await warehouse.db.selectFrom('recImpression').select(['recommendationId', 'serviceId']).execute()) {
        const { hourKey, ...version } = meta.get(i.recommendationId)!;
        const k = { ...version, serviceId: i.serviceId };
        const lastHour = Math.max(hourKey, shown.get(key(k))?.lastHour ?? 0);
        shown.set(key(k), { ...k, lastHour });
      }
      return { feedback: sorted([...feedback.values()]), served: sorted([...served.values()]), shown: sorted([...shown.values()]) };
    }

    async function rollups() {
      const feedback = await warehouse.db
        .selectFrom('aggFeedbackHour')
        .select(['hourKey', 'modelName', 'modelVersion', 'basis', 'type', 'events', 'unattributed'])
        .execute();
      const served = await warehouse.db.selectFrom('aggServedHour').select(['hourKey', 'modelName', 'registryVersion', 'basis', 'lists', 'items']).execute();
      const shown = await warehouse.db.selectFrom('aggShownService').select(['modelName', 'registryVersion', 'serviceId', 'lastHour']).execute();
      const asNumbers = <T extends Record<string, unknown>>(rows: T[], numeric: string[]) =>
        sorted(rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, numeric.includes(k) ? Number(v) : v])) as T));
      return {
        feedback: asNumbers(feedback, ['hourKey', 'modelVersion', 'events', 'unattributed']),
        served: asNumbers(served, ['hourKey', 'registryVersion', 'lists', 'items']),
        shown: asNumbers(shown, ['registryVersion', 'lastHour']),
      };
    }

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('monitoring_rollups');
      warehouse = await openWarehouse({ url });
      const { error } = await migrator(warehouse).migrateTo(BEFORE);
      if (error) throw error;
      // Facts written before the rollups existed (as 0010 left the schema: plain inserts, no rollups kept).
      await warehouse.db
        .insertInto('factFeedback')
        .values(Array.from({ length: 40 }, (_, i) => event(i, 'old')))
        .execute();
      await warehouse.db
        .insertInto('recList')
        .values(Array.from({ length: 30 }, (_, i) => list(i)))
        .execute();
    });
    afterAll(async () => {
      await warehouse?.close();
      await backend.dropDatabase(url);
    });

    it('back-fills the rollups from the facts already stored', async () => {
      await migrateToLatest(warehouse);
      const want = await expected();
      expect(want.feedback.length).toBeGreaterThan(10);
      expect(want.shown.length).toBeGreaterThan(10);
      expect(await rollups()).toEqual(want);
    });

    it('keeps them equal to the facts through new events, duplicates and late events', async () => {
      const repo = new FeedbackRepo(warehouse);
      await repo.inTransaction((r) => r.insertEvents(Array.from({ length: 30 }, (_, i) => event(i))));
      // A batch whose statement hits a stored event_id stores nothing; then each on its own: only the new one counts.
      await repo.inTransaction(async (r) => {
        const ids = await r.insertEvents([event(3), event(100)]);
        expect(ids.size).toBe(0);
        expect(await r.insertEvent(event(3))).toBeUndefined();
        expect(await r.insertEvent(event(100))).toBeTypeOf('number');
      });
      // A late event: an hour already rolled up gets added to.
      await repo.inTransaction((r) => r.insertEvents([{ ...event(200), at: '2026-03-02 08:59:59.999' }]));
      expect(await rollups()).toEqual(await expected());
    });

    it('counts each served list once: replayed batches and lists repeated within a batch are not counted again', async () => {
      const repo = new FeedbackRepo(warehouse);
      const batch = Array.from({ length: 20 }, (_, i) => list(100 + i));
      await repo.insertServedLists(batch);
      await repo.insertServedLists(batch);
      // Half already recorded (from the back-fill and the batch above), some twice within the batch.
      await repo.insertServedLists([...Array.from({ length: 40 }, (_, i) => list(110 + i)), list(145), list(5)]);
      const want = await expected();
      expect(want.served.reduce((n, g) => n + g.lists, 0)).toBe(30 + 50);
      expect(await rollups()).toEqual(want);
    });

    it('reads coverage from a range of its index, not a scan of the table', async () => {
      const query = new MonitoringRepo(warehouse).shownServicesQuery({ fromHour: 2026030100, toHour: 2026030223 }).compile();
      const explain = (prefix: string) =>
        warehouse.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`${prefix} ${query.sql}`, [...query.parameters]));
      if (backend.name === 'sqlite') {
        // Without statistics SQLite weighs a closed range against a scan that needs no sort, and takes the range.
        const plan = await explain('explain query plan');
        expect(plan.rows.map((r) => r.detail).join('\n')).toMatch(
          /SEARCH .* USING COVERING INDEX ix_agg_shown_service_recent \(last_hour>\? AND last_hour<\?\)/,
        );
      } else {
        // MariaDB picks by its statistics (a table this small is read whole); the range index must be among its choices.
        const plan = await explain('explain');
        expect(String(plan.rows[0]?.possibleKeys)).toContain('ix_agg_shown_service_recent');
      }
    });

    it('goes back to the daily coverage rows of 0011 and forward again without losing a service shown', async () => {
      const before = await rollups();
      const { error: down } = await migrator(warehouse).migrateTo('0011-monitoring-rollups');
      if (down) throw down;
      const days = await warehouse.db
        .selectFrom('aggShownServiceDay' as never)
        .select(['modelName', 'registryVersion', 'serviceId', 'dayKey'] as never[])
        .execute();
      // Each (version, service) is on at least its latest day, and on no day after it.
      const latestDay = new Map<string, number>();
      for (const d of days as { modelName: string; registryVersion: number; serviceId: string; dayKey: number }[]) {
        const k = key({ modelName: d.modelName, registryVersion: Number(d.registryVersion), serviceId: d.serviceId });
        latestDay.set(k, Math.max(latestDay.get(k) ?? 0, Number(d.dayKey)));
      }
      expect(new Map(before.shown.map(({ lastHour, ...k }) => [key(k), Math.floor(lastHour / 100)]))).toEqual(latestDay);
      await migrateToLatest(warehouse);
      expect(await rollups()).toEqual(before);
    });
  });
});
