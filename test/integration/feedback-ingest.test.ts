import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordFeedback } from '../../src/feedback/index.ts';
import { BackendUnavailableError } from '../../src/shared/errors.ts';
import type { ObjectStore } from '../../src/storage/index.ts';
import { FeedbackRepo, type FeedbackRow } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';
import { servedList } from '../support/served-list.ts';
import { createIngestFixture, feedbackConfig, servicesCsv, usersCsv, type IngestFixture } from '../support/ingest-fixture.ts';

const HEADER = 'event_id,recommendation_id,user_id,service_id,type,at';
/** The ingest's "now": events later than now + feedback.maxClockSkew (5 min) are clamped to it. */
const NOW = new Date('2026-06-01T12:00:00.000Z');
const clock = () => NOW;
const feedbackCsv = (...rows: string[]): string => `${[HEADER, ...rows].join('\n')}\n`;

/** A bucket whose connection drops once `bytes` of `key` have been read: a network failure in the middle of a load. */
function droppingAfter(store: ObjectStore, key: string, bytes: number): ObjectStore {
  return new Proxy(store, {
    get(target, prop) {
      const value = Reflect.get(target, prop, target) as unknown;
      if (prop !== 'get') return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      return async (k: string) => {
        const inner = await target.get(k);
        if (k !== key) return inner;
        return Readable.from(
          (async function* () {
            let read = 0;
            for await (const chunk of inner) {
              const buffer = chunk as Buffer;
              const take = Math.min(buffer.length, bytes - read);
              if (take > 0) yield buffer.subarray(0, take);
              read += take;
              if (read >= bytes) throw new BackendUnavailableError(`connection reset while reading ${k}`);
            }
          })(),
        );
      };
    },
  });
}

/** `landing/feedback*.csv` through `pickwise ingest`'s job, on SQLite and on a real MariaDB server. */
describe.each(warehouseBackends())('feedback landing files on $name', (backend) => {
  describe.skipIf(!backend.available)('ingest', () => {
    let fx: IngestFixture;
    const urls: string[] = [];
    beforeEach(async () => {
      const url = await backend.newDatabaseUrl('feedback_ingest');
      urls.push(url);
      fx = await createIngestFixture(url);
    });
    afterEach(async () => fx.close());
    afterAll(async () => {
      for (const url of urls) await backend.dropDatabase(url);
    });

    const events = (): Promise<FeedbackRow[]> =>
      fx.warehouse.db
        .selectFrom('factFeedback')
        .selectAll()
        .orderBy('feedbackId')
        .execute()
        .then((rows) => rows.map((r) => ({ ...r, feedbackId: Number(r.feedbackId), userKey: r.userKey === null ? null : Number(r.userKey) })));
    const ledger = () => fx.warehouse.db.selectFrom('ingestFile').selectAll().orderBy('fileId').execute();
    const ingest = () => fx.ingest({ clock });

    it('loads a feedback file after the users and services of the same run, so its keys resolve; unknown ones are stored and flagged', async () => {
      await fx.land('feedback.csv', feedbackCsv('e1,,u1,s1,select,2026-06-01T09:00:00Z', 'e2,,u9,s1,impression,2026-06-01T09:01:00Z', 'e3,,u2,s7,reserve,'));
      await fx.land('users.csv', usersCsv(3));
      await fx.land('services.csv', servicesCsv(2));
      const summary = await ingest();
      expect(summary.files.map((f) => [f.key, f.kind, f.status])).toEqual([
        ['landing/users.csv', 'users', 'loaded'],
        ['landing/services.csv', 'services', 'loaded'],
        ['landing/feedback.csv', 'feedback', 'loaded'],
      ]);
      expect(summary.files[2]).toMatchObject({ rowsTotal: 3, rowsOk: 3, rowsNew: 3, rowsUpdated: 0, rowsDuplicate: 0, rowsRejected: 0 });
      const stored = await events();
      expect(stored.map((e) => [e.eventId, e.userId, e.serviceId, e.type, e.at, e.attribution, e.flags])).toEqual([
        ['e1', 'u1', 's1', 'select', '2026-06-01 09:00:00.000', 'none', ''],
        ['e2', 'u9', 's1', 'impression', '2026-06-01 09:01:00.000', 'none', 'UNKNOWN_USER'],
        // An empty `at` is when the file was loaded, as an event posted without one is when it was received.
        ['e3', 'u2', 's7', 'reserve', '2026-06-01 12:00:00.000', 'none', 'UNKNOWN_SERVICE'],
      ]);
      expect(stored[0]!.userKey).not.toBeNull();
      expect(stored[1]!.userKey).toBeNull();
      const [, , entry] = await ledger();
      expect(entry).toMatchObject({ kind: 'feedback', status: 'loaded', rowsTotal: 3, rowsOk: 3, rowsRejected: 0, quarantineKey: null });
      expect(Number(entry!.rowsDuplicate)).toBe(0);
      expect(await fx.keys('raw/')).toContainEqual(expect.stringMatching(/^raw\/2026\/06\/01\/[0-9a-f]{12}-feedback\.csv$/));
      expect(await fx.read('landing/feedback.csv')).toContain('e3,,u2,s7,reserve,');
    });

    it('gives events stored before their user or service arrived the star keys once a later load brings them', async () => {
      await fx.land('users.csv', usersCsv(2));
      await fx.land('services.csv', servicesCsv(2));
      await fx.land('feedback.csv', feedbackCsv('k1,,u1,s1,select,2026-06-01T09:00:00Z', 'k2,,u5,s1,select,', 'k3,,u2,s4,select,'));
      await ingest();
      const before = await events();
      expect(before.map((e) => [e.eventId, e.userKey === null, e.serviceKey === null, e.flags])).toEqual([
        ['k1', false, false, ''],
        ['k2', true, false, 'UNKNOWN_USER'],
        ['k3', false, true, 'UNKNOWN_SERVICE'],
      ]);
      // The catalogue catches up: new versions of the dimension files bring u5 and s4.
      await fx.land('users.csv', usersCsv(6));
      await fx.land('services.csv', servicesCsv(5));
      await ingest();
      const keyOf = async (table: 'dimUser' | 'dimService', id: string) =>
        table === 'dimUser'
          ? Number((await fx.warehouse.db.selectFrom('dimUser').select('userKey').where('userId', '=', id).executeTakeFirstOrThrow()).userKey)
          : Number((await fx.warehouse.db.selectFrom('dimService').select('serviceKey').where('serviceId', '=', id).executeTakeFirstOrThrow()).serviceKey);
      const after = await events();
      expect(after[1]!.userKey).toBe(await keyOf('dimUser', 'u5'));
      expect(Number(after[2]!.serviceKey)).toBe(await keyOf('dimService', 's4'));
      expect(after.map((e) => e.flags)).toEqual(['', 'UNKNOWN_USER', 'UNKNOWN_SERVICE']); // what was known when each arrived
      expect(after[0]).toEqual(before[0]);
    });

    it('loads feedback files in name order, and a feedback-only run leaves the feature snapshot as it is', async () => {
      await fx.land('users.csv', usersCsv(2));
      await fx.land('services.csv', servicesCsv(2));
      await fx.ingest({ clock, refreshFeatures: true });
      await fx.land('feedback_b.csv', feedbackCsv('b1,,u1,s1,cancel,2026-06-01T10:00:00Z'));
      await fx.land('feedback_a.csv', feedbackCsv('a1,,u1,s1,select,2026-06-01T09:00:00Z'));
      const summary = await fx.ingest({ clock, refreshFeatures: true });
      expect(summary.files.map((f) => f.key)).toEqual(['landing/feedback_a.csv', 'landing/feedback_b.csv']);
      expect(summary.features).toBeUndefined();
      const [select, cancel] = await events();
      expect(cancel).toMatchObject({ eventId: 'b1', undoesFeedbackId: select!.feedbackId, flags: '' });
    });

    it('stores nothing twice: the same file again, the same content under another name, a new version with old rows', async () => {
      await fx.land('users.csv', usersCsv(2));
      await fx.land('services.csv', servicesCsv(2));
      const rows = ['e1,,u1,s1,impression,2026-06-01T09:00:00Z', 'e2,,u1,s1,select,2026-06-01T09:00:05Z'];
      await fx.land('feedback.csv', feedbackCsv(...rows));
      await ingest();
      expect((await ingest()).files).toEqual([]);
      await fx.land('feedback_copy.csv', feedbackCsv(...rows));
      const copy = await ingest();
      expect(copy.files.map((f) => f.status)).toEqual(['duplicate']);
      await fx.land('feedback.csv', feedbackCsv(...rows, 'e3,,u2,s2,complete,2026-06-01T09:30:00Z'));
      const version = await ingest();
      expect(version.files[0]).toMatchObject({ status: 'loaded', rowsTotal: 3, rowsOk: 1, rowsDuplicate: 2, rowsRejected: 0 });
      expect(version).toMatchObject({ rowsIn: 3, rowsLoaded: 1, rowsDuplicate: 2, rowsRejected: 0 });
      expect((await events()).map((e) => e.eventId)).toEqual(['e1', 'e2', 'e3']);
      expect(Number((await ledger()).at(-1)!.rowsDuplicate)).toBe(2);
    });

    it('counts rows already posted to POST /v1/feedback as duplicates, and quarantines an event_id the API stored for another event', async () => {
      await fx.land('users.csv', usersCsv(2));
      await fx.land('services.csv', servicesCsv(2));
      await ingest();
      // What the route stores for a request: the same function, the same settings.
      await recordFeedback({
        repo: new FeedbackRepo(fx.warehouse),
        events: [
          { event_id: 'api-1', user_id: 'u1', service_id: 's1', type: 'select', at: '2026-06-01T08:00:00Z' },
          { event_id: 'api-2', user_id: 'u2', service_id: 's2', type: 'impression' },
        ],
        now: NOW,
        ...feedbackConfig,
      });
      await fx.land(
        'feedback.csv',
        feedbackCsv('api-1,,u1,s1,select,2026-06-01T08:00:00Z', 'api-2,,u2,s2,complete,', 'file-1,,u2,s2,impression,2026-06-01T08:30:00Z'),
      );
      const summary = await ingest();
      expect(summary.files[0]).toMatchObject({ rowsTotal: 3, rowsOk: 1, rowsDuplicate: 1, rowsRejected: 1, rejectsByCode: { EVENT_ID_REUSED: 1 } });
      const rejects = await fx.read(summary.files[0]!.quarantineKey!);
      expect(rejects.split('\n')[0]).toBe(`line,code,reason,${HEADER}`);
      expect(rejects).toContain(
        '3,EVENT_ID_REUSED,"event_id \'api-2\' is stored already for another event (user, service, type or recommendation_id differ): use a new id",api-2,,u2,s2,complete,',
      );
      expect((await events()).map((e) => [e.eventId, e.type])).toEqual([
        ['api-1', 'select'],
        ['api-2', 'impression'],
        ['file-1', 'impression'],
      ]);
    });

    it('attributes like the API: to the list named, else to the latest list within the window; a future at is clamped and flagged', async () => {
      await fx.land('users.csv', usersCsv(2));
      await fx.land('services.csv', servicesCsv(3));
      await ingest();
      const list = (id: string, createdAt: string) =>
        servedList(
          id,
          [
            ['s2', 0.9],
            ['s1', 0.5],
          ],
          { userId: 'u1', registryVersion: 7, createdAt },
        );
      await new FeedbackRepo(fx.warehouse).insertServedLists([list('rec-a', '2026-06-01 08:00:00.000'), list('rec-b', '2026-06-01 10:00:00.000')]);
      await fx.land(
        'feedback.csv',
        feedbackCsv(
          'f1,rec-a,u1,s1,select,2026-06-01T11:00:00Z',
          'f2,,u1,s2,select,2026-06-01T11:00:00Z',
          'f3,rec-a,u1,s3,select,2026-06-01T11:00:00Z',
          'f4,,u2,s1,impression,2100-01-01T00:00:00Z',
        ),
      );
      await ingest();
      expect(
        (await events()).map((e) => [e.eventId, e.attribution, e.recommendationId, e.modelName, Number(e.modelVersion), Number(e.rank), e.at, e.flags]),
      ).toEqual([
        ['f1', 'list', 'rec-a', 'shop', 7, 2, '2026-06-01 11:00:00.000', ''],
        ['f2', 'window', 'rec-b', 'shop', 7, 1, '2026-06-01 11:00:00.000', ''],
        ['f3', 'list', 'rec-a', 'shop', 7, 0, '2026-06-01 11:00:00.000', 'NOT_IN_LIST'],
        ['f4', 'none', null, null, 0, 0, '2026-06-01 12:00:00.000', 'CLOCK_CLAMPED'],
      ]);
    });

    it('counts a row repeated in the same file as a duplicate, and quarantines an id reused in the file for another event', async () => {
      await fx.land('users.csv', usersCsv(2));
      await fx.land('services.csv', servicesCsv(2));
      await fx.land(
        'feedback.csv',
        feedbackCsv('d1,,u1,s1,select,2026-06-01T09:00:00Z', 'd1,,u1,s1,select,2026-06-01T09:00:00Z', 'd1,,u1,s2,select,2026-06-01T09:00:00Z'),
      );
      const { files } = await ingest();
      expect(files.at(-1)).toMatchObject({ rowsTotal: 3, rowsOk: 1, rowsDuplicate: 1, rowsRejected: 1, rejectsByCode: { EVENT_ID_REUSED: 1 } });
      expect(await fx.read(files.at(-1)!.quarantineKey!)).toMatch(/^4,EVENT_ID_REUSED,/m);
    });

    it('keeps none of the events of a load that fails after storing some of them, and loads them exactly once on the next run', async () => {
      await fx.land('users.csv', usersCsv(3));
      await fx.land('services.csv', servicesCsv(3));
      await ingest();
      const rows = Array.from({ length: 5000 }, (_, i) => `e${i},,u${1 + (i % 3)},s${1 + (i % 3)},impression,2026-06-01T09:00:00Z`);
      await fx.land('feedback.csv', feedbackCsv(...rows));
      // 150 kB: beyond the first batch of rows (2 000), which is stored before the connection drops.
      const failed = await fx.ingest({ clock, store: droppingAfter(fx.store, 'landing/feedback.csv', 150_000) });
      expect(failed.files[0]).toMatchObject({ status: 'failed' });
      expect(failed.files[0]!.message).toContain('connection reset');
      expect(await fx.count('fact_feedback')).toBe(0);
      expect((await ledger()).at(-1)).toMatchObject({ status: 'failed' });
      const again = await ingest();
      expect(again.files[0]).toMatchObject({ status: 'loaded', rowsOk: 5000, rowsDuplicate: 0 });
      expect(await fx.count('fact_feedback')).toBe(5000);
    });

    it('rejects a feedback file without its required columns as a whole, keeping nothing', async () => {
      await fx.land('feedback.csv', 'event_id,user_id,service_id,at\ne1,u1,s1,2026-06-01T09:00:00Z\n');
      const { files } = await ingest();
      expect(files[0]).toMatchObject({ kind: 'feedback', status: 'rejected' });
      expect(files[0]!.message).toContain('missing required column(s) recommendation_id, type for a feedback file');
      expect(await events()).toEqual([]);
    });

    it('parses a large feedback file on a second core with the same result: every row stored or accounted for', async () => {
      await fx.land('users.csv', usersCsv(50));
      await fx.land('services.csv', servicesCsv(20));
      const types = ['impression', 'select', 'reserve', 'complete'];
      const rows: string[] = [];
      // Long event ids make ~2.2 MB of few rows: over the 2 MB from which the parse runs in a worker thread.
      for (let i = 0; i < 12_000; i++)
        rows.push(
          `event-${String(i).padStart(8, '0')}-${'x'.repeat(140)},,u${1 + (i % 50)},s${1 + (i % 20)},${types[i % 4]},2026-05-${String(1 + (i % 28)).padStart(2, '0')}T10:00:00Z`,
        );
      rows[100] = 'bad,,u1,s1,click,';
      rows[11_999] = rows[0]!;
      const csv = feedbackCsv(...rows);
      expect(csv.length).toBeGreaterThan(2 << 20);
      await fx.land('feedback.csv', csv);
      const { files } = await ingest();
      expect(files.at(-1)).toMatchObject({
        status: 'loaded',
        rowsTotal: 12_000,
        rowsOk: 11_998,
        rowsDuplicate: 1,
        rowsRejected: 1,
        rejectsByCode: { BAD_TYPE: 1 },
      });
      expect(await fx.count('fact_feedback')).toBe(11_998);
    });
  });
});

/** Each kind of bad row is quarantined with its reason, and the good row beside it loads. */
describe.each(warehouseBackends())('bad feedback rows on $name', (backend) => {
  describe.skipIf(!backend.available)('quarantine', () => {
    let fx: IngestFixture;
    let url: string;
    let n = 0;
    beforeEach(async () => {
      url ??= await backend.newDatabaseUrl('feedback_bad_rows');
      fx ??= await createIngestFixture(url);
    });
    afterAll(async () => {
      await fx?.close();
      if (url) await backend.dropDatabase(url);
    });

    it.each([
      { name: 'a missing event_id', row: ',,u1,s1,select,', code: 'MISSING_VALUE', reason: 'event_id is empty' },
      { name: 'a missing user_id', row: 'x1,,,s1,select,', code: 'MISSING_VALUE', reason: 'user_id is empty' },
      { name: 'a missing service_id', row: 'x2,,u1,,select,', code: 'MISSING_VALUE', reason: 'service_id is empty' },
      { name: 'a missing type', row: 'x3,,u1,s1,,', code: 'MISSING_VALUE', reason: 'type is empty' },
      { name: 'an unknown type', row: 'x4,,u1,s1,like,', code: 'BAD_TYPE', reason: "type 'like' is not one of impression, select, cancel, reserve, complete" },
      {
        name: 'an at that is not a timestamp',
        row: 'x5,,u1,s1,select,31/05/2026',
        code: 'BAD_TIMESTAMP',
        reason: "at: '31/05/2026' is not an ISO-8601 timestamp",
      },
      {
        name: 'an at longer than the API allows',
        row: `x6,,u1,s1,select,2026-05-31T10:00:00.${'1'.repeat(40)}Z`,
        code: 'VALUE_TOO_LONG',
        reason: 'longer than 40 characters',
      },
      { name: 'an event_id over 200 characters', row: `${'e'.repeat(201)},,u1,s1,select,`, code: 'VALUE_TOO_LONG', reason: 'event_id' },
      { name: 'a user_id over 200 characters', row: `x7,,${'u'.repeat(201)},s1,select,`, code: 'VALUE_TOO_LONG', reason: 'longer than 200 characters' },
      { name: 'a recommendation_id over 200 characters', row: `x8,${'r'.repeat(201)},u1,s1,select,`, code: 'VALUE_TOO_LONG', reason: 'recommendation_id' },
      { name: 'a line break inside an id', row: 'x9,,"u1\nu2",s1,select,', code: 'BAD_ID', reason: 'user_id' },
      { name: 'a control character inside an id', row: 'x10,,u1,"s\u00011",select,', code: 'BAD_ID', reason: 'control character' },
      { name: 'too few fields', row: 'x11,,u1,s1', code: 'FIELD_COUNT', reason: '4 fields, expected 6' },
      { name: 'a quote never closed', row: 'x12,,u1,"s1,select,', code: 'PARSE_ERROR', reason: '' },
    ])('quarantines $name ($code) and loads the row beside it', async ({ row, code, reason }) => {
      const good = `ok-${++n},,u1,s1,impression,2026-06-01T09:00:00Z`;
      await fx.land(`feedback_${String(n).padStart(2, '0')}.csv`, feedbackCsv(row, good));
      const { files } = await fx.ingest({ clock });
      const file = files.at(-1)!;
      expect(file).toMatchObject({ status: 'loaded', rowsTotal: 2, rowsOk: 1, rowsDuplicate: 0, rowsRejected: 1, rejectsByCode: { [code]: 1 } });
      const rejects = await fx.read(file.quarantineKey!);
      expect(rejects).toMatch(new RegExp(`^2,${code},`, 'm'));
      expect(rejects).toContain(reason);
      const stored = await fx.warehouse.db.selectFrom('factFeedback').select('eventId').where('eventId', '=', `ok-${n}`).execute();
      expect(stored).toHaveLength(1);
    });
  });
});
