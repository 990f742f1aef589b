import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { loadInteractionLog, type FeedbackWeights, type InteractionLog } from '../../src/features/index.ts';
import { createRecommender, csrFromCoo } from '../../src/models/index.ts';
import { runTrainJob } from '../../src/pipeline/index.ts';
import { RunTracker } from '../../src/registry/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { FeedbackRepo } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, RESERVATIONS_HEADER, servicesCsv, usersCsv, type IngestFixture } from '../support/ingest-fixture.ts';

const WEIGHTS: FeedbackWeights = configSchema.parse({}).feedback.weights; // select 0.25, reserve 0.5, complete 1, cancel −0.75

/** u1's item-kNN list (every service, those u1 has weight on excluded), as [service, score] with score > 0, best first. */
async function ranking(log: InteractionLog, user = 'u1'): Promise<[string, number][]> {
  const matrix = csrFromCoo({ rows: log.users.size, cols: log.items.size, rowIdx: log.user, colIdx: log.item, values: log.value, duplicates: 'sum' });
  const model = createRecommender('item-knn', { neighbours: 10, weighting: 'cosine' });
  await model.fit(matrix, { seed: 1, threads: 1 });
  const top = model.recommend(Int32Array.of(log.users.get(user)!), { k: log.items.size, exclude: matrix });
  const out: [string, number][] = [];
  for (let r = 0; r < top.k; r++) if (top.scores[r]! > 0) out.push([log.items.externalId(top.ids[r]!), top.scores[r]!]);
  return out;
}

/** Learning from feedback: events fold into the per-pair weights, cancels lower them, and a user's list moves. */
describe.each(warehouseBackends())('learning from feedback on $name', (backend) => {
  describe.skipIf(!backend.available)('learning', () => {
    let fx: IngestFixture;
    let url: string;
    let n = 0;

    /** Stores one event as POST /v1/feedback would (keys looked up; null when the warehouse does not know the id). */
    async function feedback(type: string, userId: string, serviceId: string, at: string): Promise<void> {
      const repo = new FeedbackRepo(fx.warehouse);
      const userKey = (await repo.userKeys([userId])).get(userId) ?? null;
      const serviceKey = (await repo.serviceKeys([serviceId])).get(serviceId) ?? null;
      const dateKey = Number(at.slice(0, 10).replaceAll('-', ''));
      await repo.ensureDates([dateKey]);
      await repo.insertEvent({
        eventId: `learn-${++n}`,
        recommendationId: null,
        userId,
        serviceId,
        userKey,
        serviceKey,
        dateKey,
        type,
        at,
        receivedAt: at,
        attribution: 'none',
        modelName: null,
        modelVersion: null,
        basis: null,
        rank: null,
        flags: [userKey === null ? 'UNKNOWN_USER' : '', serviceKey === null ? 'UNKNOWN_SERVICE' : ''].filter(Boolean).join(','),
        undoesFeedbackId: null,
      });
    }

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('feedback_learning');
      fx = await createIngestFixture(url);
      await fx.land('users.csv', usersCsv(6));
      await fx.land('services.csv', servicesCsv(4));
      // s1 goes with s2 (u2, u3) and once with s3 (u4); s3 goes with s4 (u5, u6). u1 has only reserved s1.
      const rows = [
        ['u1', 's1', 'reserved'],
        ['u2', 's1'],
        ['u2', 's2'],
        ['u3', 's1'],
        ['u3', 's2'],
        ['u4', 's1'],
        ['u4', 's3'],
        ['u5', 's3'],
        ['u5', 's4'],
        ['u6', 's3'],
        ['u6', 's4'],
      ].map(([u, s, status], i) => `r${i + 1},${u},${s},${status ?? 'completed'},2024-03-0${1 + (i % 9)}T10:00:00Z,`);
      await fx.land('reservations.csv', [RESERVATIONS_HEADER, ...rows].join('\n') + '\n');
      await fx.ingest();
    });
    afterAll(async () => {
      await fx.close();
      await backend.dropDatabase(url);
    });

    it('ranks from reservations alone before any feedback: s2 (bought with s1) above s3', async () => {
      const log = await loadInteractionLog(fx.warehouse, { feedback: WEIGHTS });
      expect(log.feedback).toEqual({ used: {}, unknown: {}, events: 0, pairsCanceledOut: 0, newestId: 0 });
      expect((await ranking(log)).map(([s]) => s)).toEqual(['s2', 's3']);
    });

    it("raises a service after the user's select and complete: s4 joins u1's history and lifts s3 (its companion) above s2", async () => {
      await feedback('impression', 'u1', 's4', '2024-03-10 09:00:00.000');
      await feedback('select', 'u1', 's4', '2024-03-10 09:00:05.000');
      await feedback('complete', 'u1', 's4', '2024-03-12 18:00:00.000');
      const log = await loadInteractionLog(fx.warehouse, { feedback: WEIGHTS });
      expect(log.feedback).toMatchObject({ used: { select: 1, complete: 1 }, unknown: {}, events: 2, pairsCanceledOut: 0 });
      // The impression weighs 0 and is not even read; select 0.25 + complete 1 add up for (u1, s4).
      const u1 = log.users.get('u1')!;
      const s4 = log.items.get('s4')!;
      const pairSum = [...log.value.keys()].filter((e) => log.user[e] === u1 && log.item[e] === s4).reduce((a, e) => a + log.value[e]!, 0);
      expect(pairSum).toBeCloseTo(1.25, 6);
      expect((await ranking(log)).map(([s]) => s)).toEqual(['s3', 's2']);
      // Without feedback (--no-feedback) the list is what the reservations alone say.
      expect((await ranking(await loadInteractionLog(fx.warehouse))).map(([s]) => s)).toEqual(['s2', 's3']);
    });

    it('lowers a service after a cancel: select → cancel on s1 nets (u1, s1) to 0, and s2 (its companion) leaves the list', async () => {
      await feedback('select', 'u1', 's1', '2024-03-13 10:00:00.000');
      await feedback('cancel', 'u1', 's1', '2024-03-13 11:00:00.000');
      const log = await loadInteractionLog(fx.warehouse, { feedback: WEIGHTS });
      expect(log.feedback).toMatchObject({ used: { select: 2, complete: 1, cancel: 1 }, events: 4, pairsCanceledOut: 1 });
      const u1 = log.users.get('u1')!;
      const s1 = log.items.get('s1')!;
      // reserved 0.5 + select 0.25 − cancel 0.75 = 0: no entry of the pair is left.
      expect([...log.value.keys()].some((e) => log.user[e] === u1 && log.item[e] === s1)).toBe(false);
      const list = await ranking(log);
      expect(list.map(([s]) => s)).toEqual(['s3']);
      // A cancel only lowers the pair: the other users' s1 weights are untouched.
      expect([...log.value.keys()].filter((e) => log.item[e] === s1).map((e) => log.value[e])).toEqual([1, 1, 1]);
    });

    it('clamps at 0: a cancel beyond a pair evidence takes nothing from other pairs', async () => {
      await feedback('cancel', 'u2', 's3', '2024-03-13 12:00:00.000'); // u2 never had s3
      const log = await loadInteractionLog(fx.warehouse, { feedback: WEIGHTS });
      const u2 = log.users.get('u2')!;
      expect([...log.value.keys()].filter((e) => log.user[e] === u2).map((e) => log.value[e])).toEqual([1, 1]);
      expect(log.feedback?.pairsCanceledOut).toBe(2);
    });

    it('leaves out events of users or services the warehouse does not know, and counts them by type', async () => {
      await feedback('select', 'ghost', 's1', '2024-03-14 10:00:00.000');
      await feedback('complete', 'u3', 's99', '2024-03-14 10:00:00.000');
      const log = await loadInteractionLog(fx.warehouse, { feedback: WEIGHTS });
      expect(log.feedback?.unknown).toEqual({ select: 1, complete: 1 });
      expect(log.feedback?.used).toEqual({ select: 2, complete: 1, cancel: 2 });
    });

    it('takes the weights as configured: with select and complete at 0 only the cancels are read, and u1 is left with nothing', async () => {
      const log = await loadInteractionLog(fx.warehouse, { feedback: { ...WEIGHTS, select: 0, complete: 0 } });
      expect(log.feedback?.used).toEqual({ cancel: 2 });
      const u1 = log.users.get('u1')!;
      // reserved 0.5 − cancel 0.75 < 0: (u1, s1) carries nothing, and s4 was only ever selected and completed.
      expect([...log.value.keys()].some((e) => log.user[e] === u1)).toBe(false);
      expect(await ranking(log)).toEqual([]);
    });

    it('records in the tracked run how many events training used by type, and the data snapshot differs from a run without feedback', async () => {
      const base = { warehouse: fx.warehouse, store: fx.store, kind: 'popular' as const, params: {}, logger: silentLogger(), save: false, holdout: 0 };
      const withFeedback = await runTrainJob({ ...base, feedback: WEIGHTS });
      expect(withFeedback.feedback?.used).toEqual({ select: 2, complete: 1, cancel: 2 });
      const without = await runTrainJob(base);
      expect(without.feedback).toBeUndefined();
      const tracker = new RunTracker(fx.warehouse);
      const [a, b] = [await tracker.show(withFeedback.run), await tracker.show(without.run)];
      expect(a.data.feedback).toMatchObject({ used: { select: 2, complete: 1, cancel: 2 }, unknown: { select: 1, complete: 1 } });
      expect(a.data.feedback?.newestId).toBeGreaterThan(0);
      expect(b.data.feedback).toBeNull();
      expect(a.data.fingerprint).not.toBe(b.data.fingerprint);
      expect(a.data.interactions).toBeLessThan(b.data.interactions + 4);
    });
  });
});
