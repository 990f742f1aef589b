/**
 * The warehouse's fact_feedback as the shippers' outbox, on SQLite and the real MariaDB: the FeedbackOutbox
 * contract, and the rule that keeps a cursor from passing an id a concurrent writer has not committed yet.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FeedbackEventRecord } from '../../src/feedback/index.ts';
import { WarehouseFeedbackOutbox } from '../../src/feedback/index.ts';
import { runFeedbackOutboxContract } from '../../src/feedback/shipping/feedback-outbox.contract.ts';
import { FeedbackRepo, migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends, type WarehouseBackend } from '../support/backends.ts';
import { startFakeElasticsearch, type FakeElasticsearch } from '../support/fake-elasticsearch.ts';
import { feedbackEvent } from '../support/feedback-events.ts';
import { runCli } from '../support/run-cli.ts';

async function openMigrated(backend: WarehouseBackend, name: string): Promise<{ warehouse: Warehouse; url: string }> {
  const url = await backend.newDatabaseUrl(name);
  const warehouse = await openWarehouse({ url });
  await migrateToLatest(warehouse);
  return { warehouse, url };
}

/** Stores `events` under their own feedback ids, as the feedback route would have. */
async function store(warehouse: Warehouse, events: readonly FeedbackEventRecord[]): Promise<void> {
  if (events.length === 0) return;
  const repo = new FeedbackRepo(warehouse);
  const dateKey = (at: string) => Number(at.slice(0, 10).replaceAll('-', ''));
  await repo.ensureDates([...new Set(events.map((e) => dateKey(e.at)))]);
  await repo.insertEvents(
    events.map((e) => ({
      feedbackId: e.feedbackId,
      eventId: e.eventId,
      recommendationId: e.recommendationId,
      userId: e.userId,
      serviceId: e.serviceId,
      userKey: null,
      serviceKey: null,
      dateKey: dateKey(e.at),
      type: e.type,
      at: e.at,
      receivedAt: e.receivedAt,
      attribution: e.attribution,
      modelName: e.modelName,
      modelVersion: e.modelVersion,
      basis: e.basis,
      rank: e.rank,
      flags: e.flags.join(','),
      undoesFeedbackId: null,
    })),
  );
}

describe.each(warehouseBackends())('the feedback outbox on $name', (backend) => {
  describe.skipIf(!backend.available)('outbox', () => {
    let n = 0;
    runFeedbackOutboxContract(`WarehouseFeedbackOutbox on ${backend.name}`, async (events) => {
      const { warehouse, url } = await openMigrated(backend, `outbox_contract_${++n}`);
      await store(warehouse, events);
      return {
        outbox: new WarehouseFeedbackOutbox({ repo: new FeedbackRepo(warehouse) }),
        cleanup: async () => {
          await warehouse.close();
          await backend.dropDatabase(url);
        },
      };
    });

    describe('gaps in feedback_id', () => {
      let warehouse: Warehouse;
      let url: string;
      const now = new Date('2026-03-10T12:00:00Z');
      beforeAll(async () => {
        ({ warehouse, url } = await openMigrated(backend, 'outbox_gaps'));
        await store(warehouse, [feedbackEvent(1, { receivedAt: '2026-03-10 10:00:00.000' }), feedbackEvent(2, { receivedAt: '2026-03-10 10:00:00.000' })]);
      });
      afterAll(async () => {
        await warehouse.close();
        await backend.dropDatabase(url);
      });
      const outbox = (settleMs = 30_000) => new WarehouseFeedbackOutbox({ repo: new FeedbackRepo(warehouse), settleMs, clock: () => now });

      it('stops before a young gap, where a lower id may still commit, and passes it once settled', async () => {
        await store(warehouse, [feedbackEvent(4, { receivedAt: '2026-03-10 11:59:50.000' })]);
        expect((await outbox().read(0, 10)).map((e) => e.feedbackId)).toEqual([1, 2]);
        expect(await outbox().read(2, 10)).toEqual([]);
        // Once id 3 commits, the run is contiguous and nothing waits.
        await store(warehouse, [feedbackEvent(3, { receivedAt: '2026-03-10 11:59:49.000' })]);
        expect((await outbox().read(2, 10)).map((e) => e.feedbackId)).toEqual([3, 4]);
        // A gap whose next event is older than the settle interval is an id that will never appear.
        await store(warehouse, [feedbackEvent(6, { receivedAt: '2026-03-10 11:59:55.000' })]);
        expect(await outbox().read(4, 10)).toEqual([]);
        expect((await outbox(1_000).read(4, 10)).map((e) => e.feedbackId)).toEqual([6]);
      });
    });

    describe('pickwise feedback ship', () => {
      let warehouse: Warehouse;
      let url: string;
      let dir: string;
      let es: FakeElasticsearch;
      beforeAll(async () => {
        ({ warehouse, url } = await openMigrated(backend, 'outbox_ship'));
        await store(
          warehouse,
          Array.from({ length: 25 }, (_, i) => feedbackEvent(i + 1)),
        );
        dir = mkdtempSync(path.join(tmpdir(), 'pickwise-ship-'));
        es = await startFakeElasticsearch();
      });
      afterAll(async () => {
        await es.close();
        await warehouse.close();
        await backend.dropDatabase(url);
        rmSync(dir, { recursive: true, force: true });
      });
      const ship = (extra: Record<string, string> = {}) =>
        runCli(['--json', 'feedback', 'ship'], {
          cwd: dir,
          env: { PICKWISE_DATABASE__URL: url, PICKWISE_FEEDBACK__ELASTICSEARCH__URL: es.url, PICKWISE_FEEDBACK__ELASTICSEARCH__BATCH_SIZE: '10', ...extra },
        });
      const documents = () => [...es.indices.values()].reduce((sum, docs) => sum + docs.size, 0);

      it('ships every stored event once, resumes from its cursor, and a fresh cursor only meets duplicates', async () => {
        const first = await ship();
        expect(first.code, first.stderr).toBe(0);
        expect(JSON.parse(first.stdout)).toMatchObject({ mode: 'drain', created: 25, duplicates: 0, failed: 0, cursor: 25, batches: 3 });
        expect(documents()).toBe(25);
        expect(existsSync(path.join(dir, '.pickwise', 'feedback', 'elasticsearch.cursor.json'))).toBe(true);

        const again = await ship();
        expect(JSON.parse(again.stdout)).toMatchObject({ created: 0, duplicates: 0, cursor: 25 });

        rmSync(path.join(dir, '.pickwise', 'feedback'), { recursive: true });
        const fresh = await ship();
        expect(JSON.parse(fresh.stdout)).toMatchObject({ created: 0, duplicates: 25, cursor: 25 });
        expect(documents()).toBe(25);
      });

      it('says what to set when no cluster is configured', async () => {
        const r = await runCli(['feedback', 'ship'], { cwd: dir, env: { PICKWISE_DATABASE__URL: url } });
        expect(r.code).toBe(2);
        expect(r.stderr).toContain('feedback.elasticsearch.url is not set');
      });
    });
  });
});
