import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { ServedListRecorder, toFeedbackEventRecord } from '../../src/feedback/index.ts';
import { buildApp, createServeMetrics, ModelHolder, type AccessConfig } from '../../src/serve/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { FeedbackRepo, FeedbackStatsRepo } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { trainChampion } from '../support/champion.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';
import { REPO_ROOT, runCli } from '../support/run-cli.ts';
import { storedFeedbackRow } from '../support/feedback-events.ts';

const OPEN: AccessConfig = { apiKeys: [], keysForReads: false, keysForMetrics: false, keysForDocs: false };
const FEEDBACK = configSchema.parse({}).feedback; // attribution window 24 h, clock skew 5 min
type List = { recommendation_id: string; user_id: string | null; items: { rank: number; service_id: string }[] };
type Result = { event_id: string; status: string; feedback_id?: number; attribution?: string; flags?: string[]; reason?: { code: string; message: string } };
type Answer = { stored: number; duplicates: number; rejected: number; results: Result[] };

/** POST /v1/feedback and the recording of served lists, on SQLite and the real MariaDB. */
describe.each(warehouseBackends())('feedback on $name', (backend) => {
  describe.skipIf(!backend.available)('feedback', () => {
    let fx: IngestFixture;
    let url: string;
    let home: string;
    let recorder: ServedListRecorder;
    let holder: ModelHolder;
    let api: Awaited<ReturnType<typeof buildApp>>;
    const metrics = createServeMetrics();
    let n = 0;
    let last = new Date(0);
    const eventId = () => `ev-${backend.name}-${++n}`;

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('feedback');
      home = mkdtempSync(path.join(tmpdir(), 'pickwise-feedback-'));
      fx = await createIngestFixture(url);
      await fx.landGenerated({ users: 60, services: 12, reservations: 600, seed: 3 });
      await fx.ingest();
      const logger = silentLogger();
      await trainChampion(fx, { kind: 'popular' });
      holder = new ModelHolder({ warehouse: fx.warehouse, store: fx.store, choice: { name: 'shop', alias: 'champion' }, logger });
      await holder.start();
      // The timer never fires by itself here: commits happen when a test (or a reaction to a pending list) asks.
      // With the connection, as `pickwise serve` runs it: the commits in a worker thread on its own connection.
      recorder = new ServedListRecorder({
        writer: new FeedbackRepo(fx.warehouse),
        connection: { url },
        dir: path.join(home, 'served-lists'),
        flushMs: 250,
        flushLists: 1000,
        maxBufferedLists: 10_000,
        logger,
        every: () => () => undefined,
      });
      await recorder.start();
      api = await buildApp({
        holder,
        warehouse: fx.warehouse,
        metrics,
        config: { ...OPEN, maxBatchUsers: 10 },
        logger,
        feedback: { config: FEEDBACK, recorder },
        // Strictly increasing milliseconds: two lists served in the same millisecond would tie as "the latest".
        clock: () => (last = new Date(Math.max(Date.now(), last.getTime() + 1))),
      });
    });
    afterAll(async () => {
      await api?.close();
      await recorder?.stop();
      await fx.close();
      await backend.dropDatabase(url);
      rmSync(home, { recursive: true, force: true });
    });

    const post = (payload: unknown) => api.inject({ method: 'POST', url: '/v1/feedback', payload: payload as object });
    const send = async (payload: unknown): Promise<Answer> => {
      const r = await post(payload);
      expect(r.statusCode, r.body).toBe(200);
      return r.json() as Answer;
    };
    const userList = async (user: string, query = 'k=5'): Promise<List> =>
      (await api.inject({ url: `/v1/users/${user}/recommendations?${query}` })).json() as List;
    const stored = (eventIds: string[]) => new FeedbackRepo(fx.warehouse).events(eventIds);
    const count = async () =>
      Number(
        (
          await fx.warehouse.db
            .selectFrom('factFeedback')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const iso = (offsetMs: number) => new Date(Date.now() + offsetMs).toISOString();

    it('records every list served (user, fold-in, batch) with its model, basis, filters and items', async () => {
      const mine = await userList('U0000001', 'k=3');
      const folded = (
        await api.inject({ method: 'POST', url: '/v1/recommendations', payload: { interactions: [{ service_id: 'S000001' }], k: 2 } })
      ).json() as List;
      const batch = (await api.inject({ method: 'POST', url: '/v1/recommendations/batch', payload: { user_ids: ['U0000002', 'U0000003'], k: 4 } })).json() as {
        results: List[];
      };
      await recorder.flush();
      const ids = [mine.recommendation_id, folded.recommendation_id, ...batch.results.map((r) => r.recommendation_id)];
      const lists = await fx.warehouse.db.selectFrom('recList').selectAll().where('recommendationId', 'in', ids).orderBy('createdAt').execute();
      expect(lists).toHaveLength(4);
      expect(lists.find((l) => l.recommendationId === mine.recommendation_id)).toMatchObject({
        source: 'user',
        userId: 'U0000001',
        modelName: 'shop',
        modelKind: 'popular',
        k: 3,
        itemCount: mine.items.length,
        batchId: null,
      });
      expect(Number(lists.find((l) => l.recommendationId === mine.recommendation_id)!.registryVersion)).toBe(1);
      expect(lists.find((l) => l.recommendationId === folded.recommendation_id)).toMatchObject({ source: 'fold-in', userId: null, k: 2 });
      const batchRows = lists.filter((l) => l.source === 'batch');
      expect(new Set(batchRows.map((l) => l.batchId)).size).toBe(1);
      expect(batchRows[0]!.batchId).not.toBeNull();
      const items = await fx.warehouse.db
        .selectFrom('recImpression')
        .select(['rank', 'serviceId'])
        .where('recommendationId', '=', mine.recommendation_id)
        .orderBy('rank')
        .execute();
      expect(items.map((i) => ({ rank: Number(i.rank), service_id: i.serviceId }))).toEqual(
        mine.items.map((i) => ({ rank: i.rank, service_id: i.service_id })),
      );
    });

    it('keeps lists on disk while the warehouse refuses them, and commits them once it takes them again', async () => {
      await sql`alter table rec_list rename to rec_list_away`.execute(fx.warehouse.db);
      let ids: string[];
      try {
        ids = [(await userList('U0000020')).recommendation_id, (await userList('U0000021')).recommendation_id];
        await recorder.flush();
        expect(readdirSync(path.join(home, 'served-lists')).filter((n) => n.endsWith('.jsonl')).length).toBeGreaterThan(0);
      } finally {
        await sql`alter table rec_list_away rename to rec_list`.execute(fx.warehouse.db);
      }
      await recorder.flush();
      expect(readdirSync(path.join(home, 'served-lists'))).toEqual([]);
      const rows = await fx.warehouse.db.selectFrom('recList').select('recommendationId').where('recommendationId', 'in', ids).execute();
      expect(rows).toHaveLength(2);
    });

    it('attributes a reaction to the list it names, at its rank, with the model and basis of that list, also right after the list was served', async () => {
      const list = await userList('U0000004');
      const item = list.items[1]!;
      const id = eventId();
      const answer = await send({ event_id: id, recommendation_id: list.recommendation_id, user_id: 'U0000004', service_id: item.service_id, type: 'select' });
      expect(answer).toEqual({
        stored: 1,
        duplicates: 0,
        rejected: 0,
        results: [{ event_id: id, status: 'stored', feedback_id: expect.any(Number), attribution: 'list', flags: [] }],
      });
      const [row] = await stored([id]);
      expect(toFeedbackEventRecord(row!)).toMatchObject({
        eventId: id,
        recommendationId: list.recommendation_id,
        type: 'select',
        attribution: 'list',
        modelName: 'shop',
        modelVersion: 1,
        basis: 'model',
        rank: 2,
        flags: [],
      });
      expect(row!.userKey).not.toBeNull();
      expect(row!.serviceKey).not.toBeNull();
      expect(row!.dateKey).toBe(Number(row!.at.slice(0, 10).replaceAll('-', '')));
    });

    it('attributes a reaction without recommendation_id to the latest list within the window that showed the service, else to none', async () => {
      await userList('U0000005');
      const latest = await userList('U0000005');
      await recorder.flush();
      const shown = latest.items[0]!.service_id;
      const notShown = (await fx.warehouse.db.selectFrom('dimService').select('serviceId').execute())
        .map((s) => s.serviceId)
        .find((s) => !latest.items.some((i) => i.service_id === s))!;
      const [inWindow, before, other] = [eventId(), eventId(), eventId()];
      const answer = await send({
        events: [
          { event_id: inWindow, user_id: 'U0000005', service_id: shown, type: 'impression' },
          { event_id: before, user_id: 'U0000005', service_id: shown, type: 'select', at: iso(-2 * 86_400_000) },
          { event_id: other, user_id: 'U0000005', service_id: notShown, type: 'select' },
        ],
      });
      expect(answer.results.map((r) => r.attribution)).toEqual(['window', 'none', 'none']);
      const rows = await stored([inWindow, before, other]);
      expect(rows[0]).toMatchObject({ recommendationId: latest.recommendation_id, attribution: 'window', rank: 1, modelName: 'shop' });
      expect(rows[1]).toMatchObject({ recommendationId: null, attribution: 'none', rank: null, modelName: null });
    });

    it('keeps and flags what it cannot tie: unknown user or service, an unknown recommendation_id, a service the list did not show, a list of another user', async () => {
      const list = await userList('U0000006', 'k=2');
      const outside = (await fx.warehouse.db.selectFrom('dimService').select('serviceId').execute())
        .map((s) => s.serviceId)
        .find((s) => !list.items.some((i) => i.service_id === s))!;
      const ids = [eventId(), eventId(), eventId(), eventId()];
      const answer = await send({
        events: [
          { event_id: ids[0], user_id: 'NEW-USER', service_id: 'NEW-SERVICE', type: 'select' },
          { event_id: ids[1], recommendation_id: 'no-such-list', user_id: 'U0000006', service_id: list.items[0]!.service_id, type: 'select' },
          { event_id: ids[2], recommendation_id: list.recommendation_id, user_id: 'U0000006', service_id: outside, type: 'select' },
          { event_id: ids[3], recommendation_id: list.recommendation_id, user_id: 'U0000007', service_id: list.items[0]!.service_id, type: 'impression' },
        ],
      });
      expect(answer.stored).toBe(4);
      expect(answer.results.map((r) => [r.attribution, r.flags])).toEqual([
        ['none', ['UNKNOWN_USER', 'UNKNOWN_SERVICE']],
        ['window', ['UNKNOWN_RECOMMENDATION']],
        ['list', ['NOT_IN_LIST']],
        ['list', ['OTHER_USER']],
      ]);
      const rows = await stored(ids);
      expect(rows[0]).toMatchObject({ userKey: null, serviceKey: null, userId: 'NEW-USER', serviceId: 'NEW-SERVICE', flags: 'UNKNOWN_USER,UNKNOWN_SERVICE' });
      expect(rows[1]).toMatchObject({ recommendationId: 'no-such-list' });
      expect(rows[2]).toMatchObject({ attribution: 'list', rank: null, modelName: 'shop' });
    });

    it('stores an event_id once: a retry (in the same batch or later) is a duplicate; the id reused for another event is rejected', async () => {
      const [a, b] = [eventId(), eventId()];
      const event = { event_id: a, user_id: 'U0000008', service_id: 'S000002', type: 'select' };
      const first = await send({ events: [event, event, { event_id: b, user_id: 'U0000008', service_id: 'S000003', type: 'impression' }] });
      expect(first.results.map((r) => r.status)).toEqual(['stored', 'duplicate', 'stored']);
      expect(first.results[1]!.feedback_id).toBe(first.results[0]!.feedback_id);
      const before = await count();
      const again = await send({ events: [event, { ...event, service_id: 'S000004' }] });
      expect(again).toMatchObject({ stored: 0, duplicates: 1, rejected: 1 });
      expect(again.results[0]).toEqual({ event_id: a, status: 'duplicate', feedback_id: first.results[0]!.feedback_id });
      expect(again.results[1]!.reason).toMatchObject({ code: 'EVENT_ID_REUSED', message: expect.stringMatching(/use a new id$/) });
      expect(await count()).toBe(before);
      // Concurrent retries: each id stored once whatever the interleaving.
      const c = eventId();
      const answers = await Promise.all([1, 2, 3].map(() => send({ event_id: c, user_id: 'U0000008', service_id: 'S000005', type: 'reserve' })));
      expect(answers.map((x) => x.stored).reduce((s, v) => s + v, 0)).toBe(1);
      expect(await stored([c])).toHaveLength(1);
    });

    it('stores nothing of a multi-row statement that hits an event_id stored meanwhile (the route then stores them one by one)', async () => {
      const repo = new FeedbackRepo(fx.warehouse);
      const row = (id: string) => storedFeedbackRow({ eventId: id, userId: 'U0000014' });
      const [raced, other] = [eventId(), eventId()];
      expect(await repo.insertEvent(row(raced))).toEqual(expect.any(Number));
      expect((await repo.insertEvents([row(other), row(raced)])).size).toBe(0);
      expect(await stored([other])).toEqual([]);
      expect(await repo.insertEvent(row(raced))).toBeUndefined();
    });

    it('links a cancel to the select it undoes, and flags a cancel with nothing to undo', async () => {
      const [select, cancel, lonely] = [eventId(), eventId(), eventId()];
      const answer = await send({
        events: [
          { event_id: select, user_id: 'U0000009', service_id: 'S000006', type: 'select', at: iso(-60_000) },
          { event_id: cancel, user_id: 'U0000009', service_id: 'S000006', type: 'cancel' },
          { event_id: lonely, user_id: 'U0000009', service_id: 'S000007', type: 'cancel' },
        ],
      });
      expect(answer.results[2]!.flags).toEqual(['NO_SELECT_TO_UNDO']);
      const rows = await stored([select, cancel, lonely]);
      expect(rows[1]!.undoesFeedbackId).toBe(rows[0]!.feedbackId);
      expect(rows[2]!.undoesFeedbackId).toBeNull();
    });

    it('undoes the latest select not undone yet: two selects and two cancels of one service in one batch pair up newest first', async () => {
      const ids = [eventId(), eventId(), eventId(), eventId()];
      const at = (minutesAgo: number) => iso(-minutesAgo * 60_000);
      await send({
        events: [
          { event_id: ids[0], user_id: 'U0000013', service_id: 'S000008', type: 'select', at: at(4) },
          { event_id: ids[1], user_id: 'U0000013', service_id: 'S000008', type: 'select', at: at(3) },
          { event_id: ids[2], user_id: 'U0000013', service_id: 'S000008', type: 'cancel', at: at(2) },
          { event_id: ids[3], user_id: 'U0000013', service_id: 'S000008', type: 'cancel', at: at(1) },
        ],
      });
      const rows = await stored(ids);
      expect(rows[2]!.undoesFeedbackId).toBe(rows[1]!.feedbackId);
      expect(rows[3]!.undoesFeedbackId).toBe(rows[0]!.feedbackId);
    });

    it('undoes selects stored by earlier requests and by its own batch alike, newest first, each once, ties to the later stored', async () => {
      const at = (minutesAgo: number) => iso(-minutesAgo * 60_000);
      const pair = { user_id: 'U0000015', service_id: 'S000009' };
      const [a, b] = [eventId(), eventId()];
      await send({
        events: [
          { event_id: a, ...pair, type: 'select', at: at(5) },
          { event_id: b, ...pair, type: 'select', at: at(3) },
        ],
      });
      const [c1, d, c2, c3, c4] = [eventId(), eventId(), eventId(), eventId(), eventId()];
      const second = await send({
        events: [
          { event_id: c1, ...pair, type: 'cancel', at: at(4) },
          { event_id: d, ...pair, type: 'select', at: at(2) },
          { event_id: c2, ...pair, type: 'cancel', at: at(1) },
          { event_id: c3, ...pair, type: 'cancel', at: at(1) },
          { event_id: c4, ...pair, type: 'cancel', at: at(1) },
        ],
      });
      expect(second.results.map((r) => r.flags)).toEqual([[], [], [], [], ['NO_SELECT_TO_UNDO']]);
      const c5 = eventId();
      expect((await send({ events: [{ event_id: c5, ...pair, type: 'cancel' }] })).results[0]!.flags).toEqual(['NO_SELECT_TO_UNDO']);
      const rows = await stored([a, b, c1, d, c2, c3, c4, c5]);
      const id = (n: number) => rows[n]!.feedbackId;
      expect(rows.map((r) => r.undoesFeedbackId)).toEqual([null, null, id(0), null, id(3), id(1), null, null]);

      // Same time: the select stored last is the one undone.
      const [e, f, g] = [eventId(), eventId(), eventId()];
      const tie = { user_id: 'U0000015', service_id: 'S000010' };
      await send({ events: [{ event_id: e, ...tie, type: 'select', at: at(2) }] });
      await send({
        events: [
          { event_id: f, ...tie, type: 'select', at: at(2) },
          { event_id: g, ...tie, type: 'cancel', at: at(1) },
        ],
      });
      const tied = await stored([e, f, g]);
      expect(tied[2]!.undoesFeedbackId).toBe(tied[1]!.feedbackId);
    });

    it('clamps a timestamp beyond the allowed clock skew to now and flags it; keeps one within it', async () => {
      const [far, near] = [eventId(), eventId()];
      const sentAt = Date.now();
      const answer = await send({
        events: [
          { event_id: far, user_id: 'U0000010', service_id: 'S000001', type: 'impression', at: '2100-01-01T00:00:00Z' },
          { event_id: near, user_id: 'U0000010', service_id: 'S000001', type: 'impression', at: iso(60_000) },
        ],
      });
      expect(answer.results.map((r) => r.flags)).toEqual([['CLOCK_CLAMPED'], []]);
      const rows = await stored([far, near]);
      expect(Math.abs(Date.parse(`${rows[0]!.at.replace(' ', 'T')}Z`) - sentAt)).toBeLessThan(60_000);
      expect(rows[0]!.at).toBe(rows[0]!.receivedAt);
      expect(rows[1]!.at > rows[1]!.receivedAt).toBe(true);
    });

    it('refuses bad requests as a whole with a problem document and stores nothing', async () => {
      const good = { user_id: 'U0000011', service_id: 'S000001', type: 'select' };
      const before = await count();
      const refused = async (payload: string | object, status: number, detail: RegExp) => {
        const r = await api.inject({ method: 'POST', url: '/v1/feedback', headers: { 'content-type': 'application/json' }, payload });
        expect(r.statusCode, r.body).toBe(status);
        expect(r.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect((r.json() as { detail: string }).detail).toMatch(detail);
        expect(r.body.length).toBeLessThan(500);
      };
      await refused('{"event_id": "x", ', 400, /^the request body is not valid JSON$/);
      await refused({ events: Array.from({ length: 1001 }, (_, i) => ({ ...good, event_id: `big-${i}` })) }, 400, /events must NOT have more than 1000 items/);
      await refused({ events: [] }, 400, /events must NOT have fewer than 1 items/);
      await refused(
        {
          events: [
            { ...good, event_id: 'ok-1' },
            { ...good, event_id: 'bad-type', type: 'like' },
          ],
        },
        400,
        /\/events\/1\/type must be equal to one of the allowed values/,
      );
      await refused({ event_id: 'one', user_id: 'U0000011', type: 'select' }, 400, /must have required property 'service_id'/);
      await refused({ events: [{ ...good }] }, 400, /\/events\/0 must have required property 'event_id'/);
      await refused({ ...good, event_id: '' }, 400, /event_id must NOT have fewer than 1 characters/);
      await refused({ ...good, event_id: 'e'.repeat(201) }, 400, /event_id must NOT have more than 200 characters/);
      await refused({ ...good, event_id: 'x', user_id: 'u'.repeat(5000) }, 400, /user_id must NOT have more than 200 characters/);
      await refused({ ...good, event_id: 'x', extra: 1 }, 400, /^unknown field 'extra' in the body$/);
      await refused({ ...good, event_id: 'x', user_id: 'U1\nU2' }, 400, /^body\/user_id contains a line break or another control character$/);
      await refused({ ...good, event_id: 'tab\tid' }, 400, /^body\/event_id contains a line break or another control character$/);
      await refused({ events: [{ ...good, event_id: 'x', recommendation_id: 'r\u0000' }] }, 400, /^body\/events\/0\/recommendation_id contains a line break/);
      await refused(
        {
          events: [
            { ...good, event_id: 'ok-2' },
            { ...good, event_id: 'bad-at', at: 'yesterday' },
          ],
        },
        400,
        /event 1 \(event_id 'bad-at'\): at 'yesterday' is not an ISO-8601 timestamp/,
      );
      await refused(
        JSON.stringify({ events: [{ ...good, event_id: 'huge', pad: 'x'.repeat(10 * 1024 * 1024) }] }),
        413,
        /larger than the limit of 2097152 bytes/,
      );
      expect(await count()).toBe(before);
      expect(await stored(['ok-1', 'ok-2'])).toEqual([]);
    });

    it('is a write route: needs a key once keys are set, and is described in the OpenAPI document', async () => {
      const key = 'feedback-key-0123456789';
      const guarded = await buildApp({
        holder,
        warehouse: fx.warehouse,
        metrics: createServeMetrics(),
        config: { ...OPEN, apiKeys: [key], maxBatchUsers: 10 },
        logger: silentLogger(),
        feedback: { config: FEEDBACK },
      });
      const payload = { event_id: eventId(), user_id: 'U0000012', service_id: 'S000001', type: 'impression' };
      const refused = await guarded.inject({ method: 'POST', url: '/v1/feedback', payload });
      expect(refused.statusCode).toBe(401);
      const accepted = await guarded.inject({ method: 'POST', url: '/v1/feedback', payload, headers: { 'x-api-key': key } });
      expect(accepted.statusCode, accepted.body).toBe(200);
      const spec = (await guarded.inject({ url: '/openapi.json' })).json() as { paths: Record<string, { post?: { security?: unknown } }> };
      expect(spec.paths['/v1/feedback']?.post?.security).toEqual([{ apiKey: [] }]);
      await guarded.close();
    });

    it('counts reactions by type, outcome and attribution in /metrics', async () => {
      const text = (await api.inject({ url: '/metrics' })).body;
      expect(text).toMatch(/pickwise_feedback_events_total\{type="select",status="stored",attribution="list"\} [1-9]/);
      expect(text).toMatch(/pickwise_feedback_events_total\{type="select",status="duplicate",attribution=""\} [1-9]/);
    });

    it('computes the feedback metrics (overall, by model, basis, region) as their definitions say', async () => {
      const all = await fx.warehouse.db.selectFrom('factFeedback').select(['type', 'attribution', 'modelName', 'modelVersion', 'basis']).execute();
      const expected = (rows: typeof all) => {
        const c = (t: string) => rows.filter((r) => r.type === t).length;
        const [i, sel, can] = [c('impression'), c('select'), c('cancel')];
        const none = rows.filter((r) => r.attribution === 'none').length;
        return {
          events: rows.length,
          impressions: i,
          selects: sel,
          cancels: can,
          selectRate: i === 0 ? null : sel / i,
          cancelRate: sel === 0 ? null : can / sel,
          netSatisfaction: sel + can === 0 ? null : (sel - can) / (sel + can),
          unattributedShare: none / rows.length,
        };
      };
      const close = (actual: Record<string, unknown>, want: Record<string, number | null>) => {
        for (const [k, v] of Object.entries(want)) {
          if (v === null) expect(actual[k], k).toBeNull();
          else expect(actual[k] as number, k).toBeCloseTo(v, 9);
        }
      };
      const repo = new FeedbackStatsRepo(fx.warehouse);
      const since = '2000-01-01 00:00:00.000';
      const [overall] = await repo.stats({ since });
      close(overall as unknown as Record<string, unknown>, expected(all));
      const byModel = await repo.stats({ since, by: 'model' });
      const shop = byModel.find((r) => r.group === 'shop' && r.modelVersion === 1)!;
      close(shop as unknown as Record<string, unknown>, expected(all.filter((r) => r.modelName === 'shop' && Number(r.modelVersion) === 1)));
      expect(shop.unattributedShare).toBe(0);
      const unattributed = byModel.find((r) => r.group === null)!;
      expect(unattributed.unattributedShare).toBe(1);
      const byBasis = await repo.stats({ since, by: 'basis' });
      expect(byBasis.map((r) => r.events).reduce((a, b) => a + b, 0)).toBe(all.length);
      const byRegion = await repo.stats({ since, by: 'region' });
      expect(byRegion.map((r) => r.events).reduce((a, b) => a + b, 0)).toBe(all.length);
      expect(await repo.stats({ since: '2999-01-01 00:00:00.000' })).toEqual([]);
    });

    it('prints the metrics with pickwise feedback stats, and refuses a --since it cannot read', async () => {
      const json = await runCli(['--json', '--database-url', url, 'feedback', 'stats', '--by', 'model', '--since', '30d'], { cwd: home });
      expect(json.code, json.stderr).toBe(0);
      const result = JSON.parse(json.stdout) as { by: string; groups: { group: string | null; modelVersion: number | null; selects: number }[] };
      expect(result.by).toBe('model');
      expect(result.groups.find((g) => g.group === 'shop' && g.modelVersion === 1)!.selects).toBeGreaterThan(0);
      const table = await runCli(['--database-url', url, 'feedback', 'stats', '--since', '2000-01-01'], { cwd: home });
      expect(table.code, table.stderr).toBe(0);
      expect(table.stdout).toMatch(/select rate +cancel rate +net satisfaction +unattributed/);
      const bad = await runCli(['--database-url', url, 'feedback', 'stats', '--since', 'last tuesday'], { cwd: home });
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/--since takes a duration back from now/);
    });

    it("runs the README's query (select rate of a model version in a region last week) as written", async () => {
      const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
      const query = /```sql\n([\s\S]*?)```/.exec(readme)![1]!;
      const region = (
        await fx.warehouse.db
          .selectFrom('dimUser as u')
          .innerJoin('dimRegion as r', 'r.regionKey', 'u.regionKey')
          .select('r.regionName')
          .where('u.userId', '=', 'U0000004')
          .executeTakeFirstOrThrow()
      ).regionName;
      const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
      const ours = query
        .replace('f.model_version = 7', 'f.model_version = 1')
        .replace("'Busan'", `'${region}'`)
        .replace("'2026-11-23'", `'${day(-6)}'`)
        .replace("'2026-11-30'", `'${day(1)}'`)
        .replace(/;\s*$/, '');
      expect(ours).not.toBe(query.replace(/;\s*$/, ''));
      const { rows } = await sql.raw<{ selectRate: number | string | null }>(ours).execute(fx.warehouse.db);
      expect(rows).toHaveLength(1);
      const events = await fx.warehouse.db
        .selectFrom('factFeedback as f')
        .innerJoin('dimUser as u', 'u.userKey', 'f.userKey')
        .innerJoin('dimRegion as r', 'r.regionKey', 'u.regionKey')
        .select('f.type')
        .where('r.regionName', '=', region)
        .where('f.modelName', '=', 'shop')
        .where('f.modelVersion', '=', 1)
        .execute();
      const impressions = events.filter((e) => e.type === 'impression').length;
      const selects = events.filter((e) => e.type === 'select').length;
      expect(selects).toBeGreaterThan(0);
      const rate = rows[0]!.selectRate;
      if (impressions === 0) expect(rate).toBeNull();
      else expect(Number(rate)).toBeCloseTo(selects / impressions, 6);
    });
  });
});
