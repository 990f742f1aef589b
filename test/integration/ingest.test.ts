import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ledgerRow } from '../support/ledger-row.ts';
import { buildFeatureTables } from '../../src/features/index.ts';
import { BackendUnavailableError } from '../../src/shared/errors.ts';
import { GcsObjectStore } from '../../src/storage/gcs-object-store.ts';
import { LocalObjectStore, type ObjectStore } from '../../src/storage/index.ts';
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts';
import { startFakeGcsServer, type FakeGcsServer } from '../support/fake-gcs-server.ts';
import { startS3rver, type S3rverServer } from '../support/s3rver.ts';
import { warehouseBackends } from '../support/backends.ts';
import {
  createIngestFixture,
  ingestConfig,
  RESERVATIONS_HEADER,
  SERVICES_HEADER,
  servicesCsv,
  usersCsv,
  type IngestFixture,
} from '../support/ingest-fixture.ts';

/** `n` reservations `r1..rn` of users u1–u3 and services s1–s2, one per line; `line(i)` may replace row i. */
function reservationsCsv(n: number, line: (i: number) => string | undefined = () => undefined): string {
  const lines = [RESERVATIONS_HEADER];
  for (let i = 1; i <= n; i++) lines.push(line(i) ?? `r${i},u${1 + (i % 3)},s${1 + (i % 2)},completed,2024-03-01T10:00:00Z,`);
  return `${lines.join('\n')}\n`;
}

/** Line 3 (the second row) opens a quote that nothing closes. */
const OPEN_QUOTE_ROW = (i: number): string | undefined => (i === 2 ? 'r2,u1,"s1,completed,2024-03-01T10:00:00Z,' : undefined);

/**
 * A bucket whose connection drops while one object is read (after its first bytes): a network failure, which a
 * local test cannot cause for real. Everything else goes to the real store underneath.
 */
function droppingReadsOf(store: ObjectStore, key: string): ObjectStore {
  return new Proxy(store, {
    get(target, prop) {
      if (prop !== 'get') {
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return async (k: string) => {
        if (k !== key) return target.get(k);
        const inner = await target.get(k);
        return Readable.from(
          (async function* () {
            for await (const chunk of inner) {
              yield chunk as Buffer;
              throw new BackendUnavailableError(`connection reset while reading ${k}`);
            }
          })(),
        );
      };
    },
  });
}

/** The whole ingest pipeline against a real local bucket, on SQLite and on a real MariaDB server. */
describe.each(warehouseBackends())('ingest on $name', (backend) => {
  describe.skipIf(!backend.available)('pipeline', () => {
    let fx: IngestFixture;
    const urls: string[] = [];
    beforeEach(async () => {
      const url = await backend.newDatabaseUrl('ingest');
      urls.push(url);
      fx = await createIngestFixture(url);
    });
    afterEach(async () => fx.close());
    afterAll(async () => {
      for (const url of urls) await backend.dropDatabase(url);
    });

    const ledger = async () => fx.warehouse.db.selectFrom('ingestFile').selectAll().orderBy('fileId').execute();

    it('loads generated files with dirty rows: counts, backups, quarantine with line numbers, landing untouched', async () => {
      await fx.landGenerated({ users: 200, services: 40, reservations: 3000, seed: 3, dirty: 0.03 });
      const before = await fx.read('landing/reservations.csv');
      const summary = await fx.ingest();
      expect(summary.files.map((f) => [f.key, f.status])).toEqual([
        ['landing/users.csv', 'loaded'],
        ['landing/services.csv', 'loaded'],
        ['landing/reservations.csv', 'loaded'],
      ]);
      expect(await fx.count('dim_user')).toBe(200);
      expect(await fx.count('dim_service')).toBe(40);
      // every reservation id that passed validation is exactly one fact row (later rows are status updates)
      const res = summary.files[2]!;
      expect(res.rowsOk + res.rowsRejected).toBe(res.rowsTotal);
      expect(res.rowsRejected).toBeGreaterThan(50);
      expect(await fx.count('fact_reservation')).toBeGreaterThanOrEqual(2900);
      expect(await fx.count('fact_reservation')).toBeLessThanOrEqual(3000);
      // quarantine: one line per reject, with the original line number and a reason
      const rejects = (await fx.read(res.quarantineKey!)).trimEnd().split('\n');
      expect(rejects[0]).toBe(`line,code,reason,${RESERVATIONS_HEADER}`);
      expect(rejects.length - 1).toBe(res.rowsRejected);
      const sourceLines = before.split('\n');
      const sample = rejects.slice(1).find((l) => l.includes('BAD_STATUS'))!;
      const lineNo = Number(sample.split(',')[0]);
      expect(sample.endsWith(sourceLines[lineNo - 1]!)).toBe(true);
      expect(Object.values(res.rejectsByCode).reduce((a, b) => a + b, 0)).toBe(res.rowsRejected);
      // raw backups under raw/YYYY/MM/DD/<sha-prefix>-<name>; landing files unchanged
      const raw = await fx.keys('raw/');
      expect(raw).toHaveLength(3);
      expect(raw.every((k) => /^raw\/\d{4}\/\d{2}\/\d{2}\/[0-9a-f]{12}-(users|services|reservations)\.csv$/.test(k))).toBe(true);
      expect(await fx.read('landing/reservations.csv')).toBe(before);
      expect((await ledger()).map((e) => e.status)).toEqual(['loaded', 'loaded', 'loaded']);
      expect(await fx.count('dim_date')).toBeGreaterThan(100);
    });

    it('is idempotent: a second run loads nothing and changes nothing', async () => {
      await fx.landGenerated({ users: 50, services: 10, reservations: 500 });
      await fx.ingest();
      const facts = await fx.count('fact_reservation');
      const second = await fx.ingest();
      expect(second.files).toEqual([]);
      expect(await fx.count('fact_reservation')).toBe(facts);
      expect(await fx.count('ingest_file')).toBe(3);
    });

    it('skips a duplicate file under another name, and loads a changed file under the same name as a new version', async () => {
      await fx.land('users.csv', usersCsv(5));
      await fx.ingest();
      await fx.land('users_copy.csv', usersCsv(5));
      const dup = await fx.ingest();
      expect(dup.files).toMatchObject([{ key: 'landing/users_copy.csv', status: 'duplicate' }]);
      expect(dup.files[0]!.message).toContain('landing/users.csv');
      await fx.land('users.csv', usersCsv(8));
      const v2 = await fx.ingest();
      expect(v2.files).toMatchObject([{ key: 'landing/users.csv', status: 'loaded', rowsOk: 8 }]);
      expect(await fx.count('dim_user')).toBe(8);
      const entries = await ledger();
      expect(entries.filter((e) => e.objectKey === 'landing/users.csv')).toHaveLength(2);
      expect(entries.map((e) => e.status)).toEqual(['loaded', 'duplicate', 'loaded']);
    });

    it('rejects a file with a missing required column, naming it, and keeps the file', async () => {
      await fx.land('users.csv', 'user_id,gender,birth_year,region\nu1,F,1990,Seoul\n');
      const s = await fx.ingest();
      expect(s.files[0]).toMatchObject({ status: 'rejected' });
      expect(s.files[0]!.message).toMatch(/missing required column\(s\) signup_at/);
      expect(await fx.keys('landing/')).toEqual(['landing/users.csv']);
      expect((await ledger())[0]).toMatchObject({ status: 'rejected' });
      expect(await fx.count('dim_user')).toBe(0);
      // A rejected version is settled: the next run does not retry it; a corrected upload loads.
      expect((await fx.ingest()).files).toEqual([]);
      await fx.land('users.csv', usersCsv(2));
      expect((await fx.ingest()).files[0]).toMatchObject({ status: 'loaded', rowsOk: 2 });
    });

    it('rejects an empty file and reports a header-only file as loaded with no rows', async () => {
      await fx.land('users.csv', '');
      await fx.land('services.csv', 'service_id,name,category,region,price,created_at\n');
      const s = await fx.ingest();
      const byKey = Object.fromEntries(s.files.map((f) => [f.key, f]));
      expect(byKey['landing/users.csv']).toMatchObject({ status: 'rejected' });
      expect(byKey['landing/users.csv']!.message).toMatch(/empty \(0 bytes\)/);
      expect(byKey['landing/services.csv']).toMatchObject({ status: 'loaded', rowsTotal: 0, message: 'header only: no data rows' });
    });

    it('rejects a semicolon-separated file with a message that says so', async () => {
      await fx.land('users.csv', 'user_id;signup_at;gender;birth_year;region\nu1;2024-01-01T00:00:00Z;F;1990;Seoul\n');
      const s = await fx.ingest();
      expect(s.files[0]).toMatchObject({ status: 'rejected' });
      expect(s.files[0]!.message).toMatch(/semicolon-separated/);
    });

    it('quarantines rows with invalid UTF-8 and loads the rest', async () => {
      const good = Buffer.from(`${usersCsv(2)}`);
      const bad = Buffer.concat([Buffer.from('u3,2024-01-01T00:00:00Z,F,1990,Se'), Buffer.from([0xff, 0xfe]), Buffer.from('oul\n')]);
      await fx.land('users.csv', Buffer.concat([good, bad]));
      const s = await fx.ingest();
      expect(s.files[0]).toMatchObject({ status: 'loaded', rowsOk: 2, rowsRejected: 1, rejectsByCode: { INVALID_UTF8: 1 } });
      expect(await fx.read(s.files[0]!.quarantineKey!)).toMatch(/^4,INVALID_UTF8,/m);
    });

    it('reads quoted fields with commas, quotes and newlines, keeping later line numbers right', async () => {
      const csv =
        [
          'service_id,name,category,region,price,created_at',
          's1,"Nail art, gel ""premium""",beauty,Seoul,30000,2024-01-01T00:00:00Z',
          's2,"Two-line',
          'name",fitness,,15000.5,2024-01-02T09:00:00+09:00',
          's3,Bad price,fitness,,-5,2024-01-02T00:00:00Z',
        ].join('\n') + '\n';
      await fx.land('services.csv', csv);
      const s = await fx.ingest();
      expect(s.files[0]).toMatchObject({ rowsOk: 2, rowsRejected: 1 });
      const rows = await fx.warehouse.db
        .selectFrom('dimService')
        .select(['serviceId', 'name', 'price', 'createdAt', 'regionKey'])
        .orderBy('serviceId')
        .execute();
      expect(rows[0]).toMatchObject({ serviceId: 's1', name: 'Nail art, gel "premium"', price: 30000 });
      expect(rows[1]).toMatchObject({ serviceId: 's2', name: 'Two-line\nname', price: 15000.5, regionKey: null });
      expect(String(rows[1]!.createdAt)).toMatch(/^2024-01-02 00:00:00/);
      expect(await fx.read(s.files[0]!.quarantineKey!)).toMatch(/^5,BAD_PRICE,/m);
    });

    it('quarantines a truncated last line and an unclosed quote at the end of a file', async () => {
      await fx.land('users.csv', `${usersCsv(3)}u4,2024-01-01T00:00:00Z,F`);
      await fx.land('users_b.csv', `${usersCsv(1).replace('u1,', 'u9,')}u10,"2024-01-01T00:00:00Z,F,1990,Seoul\n`);
      const s = await fx.ingest();
      const [a, b] = s.files;
      expect(a).toMatchObject({ rowsOk: 3, rowsRejected: 1, rejectsByCode: { FIELD_COUNT: 1 } });
      expect(await fx.read(a!.quarantineKey!)).toMatch(/^5,FIELD_COUNT,"3 fields, expected 5 \(truncated line.*",u4,2024-01-01T00:00:00Z,F$/m);
      expect(b).toMatchObject({ rowsOk: 1, rowsRejected: 1, rejectsByCode: { PARSE_ERROR: 1 } });
      expect(await fx.read(b!.quarantineKey!)).toMatch(/^3,PARSE_ERROR,.*never closed/m);
    });

    it('quarantines 10 000 invalid rows in one file, every one with its line and reason', async () => {
      await fx.land('users.csv', usersCsv(3));
      await fx.land('services.csv', servicesCsv(3));
      const lines = [RESERVATIONS_HEADER, 'r0,u1,s1,completed,2024-02-01T10:00:00Z,5'];
      for (let i = 1; i <= 10_000; i++) lines.push(`r${i},u1,s1,${i % 2 ? 'done' : 'completed'},${i % 2 ? '2024-02-01T10:00:00Z' : 'not-a-date'},`);
      await fx.land('reservations.csv', lines.join('\n') + '\n');
      const s = await fx.ingest();
      const r = s.files.find((f) => f.kind === 'reservations')!;
      expect(r).toMatchObject({ status: 'loaded', rowsOk: 1, rowsRejected: 10_000, rejectsByCode: { BAD_STATUS: 5000, BAD_TIMESTAMP: 5000 } });
      const rejects = (await fx.read(r.quarantineKey!)).trimEnd().split('\n').slice(1);
      expect(rejects).toHaveLength(10_000);
      expect(rejects[0]).toBe(`3,BAD_STATUS,"status 'done' is not one of reserved, completed, canceled",r1,u1,s1,done,2024-02-01T10:00:00Z,`);
      expect(rejects[9_999]).toMatch(/^10002,BAD_TIMESTAMP,reserved_at: 'not-a-date' is not an ISO-8601 timestamp/);
      expect(await fx.count('fact_reservation')).toBe(1);
    });

    it('quarantines a reservation for an unknown service, then loads it with --retry-quarantine once the service lands', async () => {
      await fx.land('users.csv', usersCsv(2));
      await fx.land('services.csv', servicesCsv(1));
      await fx.land('reservations.csv', `${RESERVATIONS_HEADER}\nr1,u1,s1,completed,2024-03-01T00:00:00Z,4\nr2,u2,s2,reserved,2024-03-02T00:00:00Z,\n`);
      const first = await fx.ingest();
      const r = first.files.find((f) => f.kind === 'reservations')!;
      expect(r).toMatchObject({ rowsOk: 1, rowsRejected: 1, rejectsByCode: { UNKNOWN_SERVICE: 1 } });
      expect(await fx.read(r.quarantineKey!)).toMatch(/service_id 's2' is not in the warehouse yet/);
      expect(await fx.count('ingest_pending_row')).toBe(1);
      // Still unknown: retry leaves it pending.
      expect((await fx.ingest({ retryQuarantine: true })).retry).toMatchObject({ loaded: 0, stillPending: 1 });
      await fx.land('services_new.csv', servicesCsv(2).replace(/\ns1,[^\n]*/, ''));
      const retried = await fx.ingest({ retryQuarantine: true });
      expect(retried.retry).toMatchObject({ examined: 1, loaded: 1, stillPending: 0 });
      expect(await fx.count('fact_reservation')).toBe(2);
      expect(await fx.count('ingest_pending_row')).toBe(0);
      const r2 = await fx.warehouse.db.selectFrom('factReservation').selectAll().where('reservationId', '=', 'r2').executeTakeFirstOrThrow();
      expect(r2).toMatchObject({
        status: 'reserved',
        rating: null,
        sourceFileId: (
          await fx.warehouse.db.selectFrom('ingestFile').select('fileId').where('objectKey', '=', 'landing/reservations.csv').executeTakeFirstOrThrow()
        ).fileId,
      });
    });

    it('applies a repeated reservation_id as an update of status and rating (last row wins), also across files', async () => {
      await fx.land('users.csv', usersCsv(1));
      await fx.land('services.csv', servicesCsv(1));
      await fx.land('reservations_1.csv', `${RESERVATIONS_HEADER}\nr1,u1,s1,reserved,2024-03-01T00:00:00Z,\nr1,u1,s1,completed,2024-03-01T00:00:00Z,\n`);
      await fx.ingest();
      await fx.land('reservations_2.csv', `${RESERVATIONS_HEADER}\nr1,u1,s1,completed,2024-03-01T00:00:00Z,5\n`);
      await fx.ingest();
      const rows = await fx.warehouse.db.selectFrom('factReservation').select(['status', 'rating']).execute();
      expect(rows).toEqual([{ status: 'completed', rating: 5 }]);
    });

    it('fills dim_date with calendar attributes and normalises timestamps to UTC', async () => {
      await fx.land('users.csv', usersCsv(1));
      await fx.land('services.csv', servicesCsv(1));
      await fx.land('reservations.csv', `${RESERVATIONS_HEADER}\nr1,u1,s1,completed,2024-06-01T08:30:00+09:00,\n`);
      await fx.ingest();
      const f = await fx.warehouse.db.selectFrom('factReservation').select(['reservedAt', 'dateKey']).executeTakeFirstOrThrow();
      expect(String(f.reservedAt)).toMatch(/^2024-05-31 23:30:00/);
      expect(f.dateKey).toBe(20240531);
      const d = await fx.warehouse.db.selectFrom('dimDate').selectAll().where('dateKey', '=', 20240531).executeTakeFirstOrThrow();
      expect(d).toMatchObject({ fullDate: '2024-05-31', year: 2024, quarter: 2, month: 5, day: 31, weekday: 5, isWeekend: 0, isoWeek: 22 });
    });

    it('ignores extra columns with a warning, and matches columns by name in any order', async () => {
      await fx.land('users.csv', 'region,user_id,loyalty_tier,signup_at,gender,birth_year\nBusan,u1,gold,2024-01-01T00:00:00Z,F,1990\n');
      const s = await fx.ingest();
      expect(s.files[0]).toMatchObject({ status: 'loaded', rowsOk: 1, message: 'extra columns ignored: loyalty_tier' });
      const u = await fx.warehouse.db
        .selectFrom('dimUser')
        .innerJoin('dimRegion', 'dimRegion.regionKey', 'dimUser.regionKey')
        .select(['userId', 'regionName', 'birthYear'])
        .executeTakeFirstOrThrow();
      expect(u).toEqual({ userId: 'u1', regionName: 'Busan', birthYear: 1990 });
    });

    it('quarantines only the line of a quote that is never closed: a 101-row file loads its other 100 rows', async () => {
      await fx.land('users.csv', usersCsv(3));
      await fx.land('services.csv', servicesCsv(2));
      await fx.land('reservations.csv', reservationsCsv(101, OPEN_QUOTE_ROW));
      const s = await fx.ingest();
      const r = s.files.find((f) => f.kind === 'reservations')!;
      expect(r).toMatchObject({ status: 'loaded', rowsTotal: 101, rowsOk: 100, rowsRejected: 1, rejectsByCode: { PARSE_ERROR: 1 } });
      expect(r.lines).toEqual({ total: 102, header: 1, blank: 0, records: 101 });
      expect(await fx.count('fact_reservation')).toBe(100);
      const rejects = (await fx.read(r.quarantineKey!)).trimEnd().split('\n');
      expect(rejects).toHaveLength(2);
      expect(rejects[1]).toMatch(/^3,PARSE_ERROR,a quote opened on line 3 is never closed .*reading resumes on line 4,/);
      expect(rejects[1]).toContain('r2,u1,');
      expect(s.rowsIn).toBe(s.rowsLoaded + s.rowsRejected);
    });

    it('loads the 139 999 valid rows of a 140 000-row file behind a quote that is never closed', async () => {
      await fx.land('users.csv', usersCsv(3));
      await fx.land('services.csv', servicesCsv(2));
      await fx.land('reservations.csv', reservationsCsv(140_000, OPEN_QUOTE_ROW));
      const r = (await fx.ingest()).files.find((f) => f.kind === 'reservations')!;
      expect(r).toMatchObject({ status: 'loaded', rowsTotal: 140_000, rowsOk: 139_999, rowsRejected: 1, rowsNew: 139_999, rowsUpdated: 0 });
      expect(r.lines).toEqual({ total: 140_001, header: 1, blank: 0, records: 140_000 });
      expect(await fx.count('fact_reservation')).toBe(139_999);
    });

    it('parses a 24 MB file with a quote that is never closed in the worker within its memory, and loads the file after it', async () => {
      await fx.land('users.csv', usersCsv(3));
      await fx.land('services.csv', servicesCsv(2));
      // ~550 000 rows of ~46 bytes: the parse worker used to run out of heap on the quoted text it gathered.
      const rows = 550_000;
      const big = reservationsCsv(rows, OPEN_QUOTE_ROW);
      expect(big.length).toBeGreaterThanOrEqual(24 << 20);
      await fx.land('reservations_a.csv', big);
      await fx.land('reservations_b.csv', reservationsCsv(10).replace(/\br(\d+),/g, 'b$1,'));
      const s = await fx.ingest();
      expect(s.files.map((f) => [f.key, f.status])).toEqual([
        ['landing/users.csv', 'loaded'],
        ['landing/services.csv', 'loaded'],
        ['landing/reservations_a.csv', 'loaded'],
        ['landing/reservations_b.csv', 'loaded'],
      ]);
      expect(s.files[2]).toMatchObject({ rowsTotal: rows, rowsOk: rows - 1, rowsRejected: 1, rejectsByCode: { PARSE_ERROR: 1 } });
      expect(await fx.count('fact_reservation')).toBe(rows - 1 + 10);
    });

    it('counts blank lines apart, so that every line of a file is accounted for', async () => {
      await fx.land('users.csv', `\n${usersCsv(2).replace('\nu2', '\n\n\r\nu2')}\n`);
      const s = await fx.ingest();
      expect(s.files[0]).toMatchObject({ status: 'loaded', rowsTotal: 2, rowsOk: 2, rowsRejected: 0, lines: { total: 7, header: 1, blank: 4, records: 2 } });
    });

    it('reports a file that fails, goes on with the files after it, and loads it on the next run', async () => {
      await fx.land('users.csv', usersCsv(3));
      await fx.land('services.csv', servicesCsv(2));
      const dropping = droppingReadsOf(fx.store, 'landing/services.csv');
      const s = await fx.ingest({ store: dropping });
      expect(s.files.map((f) => [f.key, f.status])).toEqual([
        ['landing/users.csv', 'loaded'],
        ['landing/services.csv', 'failed'],
      ]);
      expect(s.filesFailed).toBe(1);
      expect(s.files[1]!.message).toMatch(/^loading landing\/services\.csv failed, nothing of it was kept: connection reset/);
      expect(await fx.count('dim_service')).toBe(0);
      expect((await ledger()).map((e) => [e.objectKey, e.status])).toEqual([
        ['landing/users.csv', 'loaded'],
        ['landing/services.csv', 'failed'],
      ]);
      const again = await fx.ingest();
      expect(again.files).toMatchObject([{ key: 'landing/services.csv', status: 'loaded', rowsOk: 2 }]);
      expect((await ledger()).map((e) => e.status)).toEqual(['loaded', 'loaded']);
      expect(await fx.keys('raw/incoming/')).toEqual([]);
    });

    it('takes over unfinished attempts, also one that already recorded the same content, leaving one ledger entry', async () => {
      // What runs before the single-read loader left behind: a failed attempt with the real hash, then a killed one.
      const content = usersCsv(2);
      await fx.land('users.csv', content);
      const sha256 = createHash('sha256').update(content).digest('hex');
      const attempt = ledgerRow({ objectKey: 'landing/users.csv', sizeBytes: content.length, sourceEtag: 'old', kind: 'users' });
      await fx.warehouse.db
        .insertInto('ingestFile')
        .values([
          { ...attempt, sha256, status: 'failed' },
          { ...attempt, sha256: 'f'.repeat(64), status: 'loading' },
        ])
        .execute();
      await fx.land('users_copy.csv', content);
      const s = await fx.ingest();
      expect(s.files.map((f) => [f.key, f.status])).toEqual([
        ['landing/users.csv', 'loaded'],
        ['landing/users_copy.csv', 'duplicate'],
      ]);
      expect((await ledger()).map((e) => [e.objectKey, e.status, e.sha256])).toEqual([
        ['landing/users.csv', 'loaded', sha256],
        ['landing/users_copy.csv', 'duplicate', sha256],
      ]);
    });

    it('quarantines timestamps later than now + ingest.maxClockSkew, so a year-2100 row cannot move the as-of date', async () => {
      const clock = () => new Date('2024-03-10T00:00:00Z');
      await fx.land('users.csv', `${usersCsv(3)}u4,2100-01-01T00:00:00Z,F,1990,Seoul\n`);
      await fx.land('services.csv', `${servicesCsv(2)}s3,Later,beauty,Busan,100,2024-03-11T01:00:00Z\ns4,Soon,beauty,Busan,100,2024-03-10T23:00:00Z\n`);
      await fx.land(
        'reservations.csv',
        reservationsCsv(3, (i) => (i === 3 ? 'r3,u1,s1,completed,2100-01-01T00:00:00Z,' : undefined)),
      );
      const s = await fx.ingest({ clock });
      const byKind = Object.fromEntries(s.files.map((f) => [f.kind, f]));
      expect(byKind['users']).toMatchObject({ rowsOk: 3, rejectsByCode: { FUTURE_TIMESTAMP: 1 } });
      expect(byKind['services']).toMatchObject({ rowsOk: 3, rejectsByCode: { FUTURE_TIMESTAMP: 1 } });
      expect(byKind['reservations']).toMatchObject({ rowsOk: 2, rejectsByCode: { FUTURE_TIMESTAMP: 1 } });
      expect(await fx.read(byKind['reservations']!.quarantineKey!)).toMatch(
        /^4,FUTURE_TIMESTAMP,reserved_at '2100-01-01T00:00:00Z' is in the future: later than 2024-03-11T00:00:00.000Z/m,
      );
      expect((await buildFeatureTables(fx.warehouse, { clock })).asOf).toBe('2024-03-01 10:00:00.000');
      // A wider allowance lets the service created 25 hours ahead through.
      await fx.land('services_2.csv', `${SERVICES_HEADER}\ns5,Later,beauty,Busan,100,2024-03-11T01:00:00Z\n`);
      const wider = await fx.ingest({ clock, config: { ...ingestConfig, maxClockSkew: 36 * 3600 } });
      expect(wider.files[0]).toMatchObject({ rowsOk: 1, rowsRejected: 0 });
    });

    it('quarantines a region or category with a line break inside', async () => {
      await fx.land(
        'services.csv',
        `${servicesCsv(1)}s2,Cut,"beauty\nsalon",Busan,100,2024-01-01T00:00:00Z\ns3,Cut,beauty,"Bu\tsan",100,2024-01-01T00:00:00Z\n`,
      );
      const s = await fx.ingest();
      expect(s.files[0]).toMatchObject({ rowsOk: 1, rowsRejected: 2, rejectsByCode: { BAD_LABEL: 2 } });
      expect(await fx.read(s.files[0]!.quarantineKey!)).toMatch(
        /^3,BAD_LABEL,"category ""beauty\\nsalon"" contains a line break or another control character"/m,
      );
      expect(await fx.count('dim_category')).toBe(1);
    });

    it('says per file how many loaded rows were new and how many updated existing rows', async () => {
      await fx.land('users.csv', usersCsv(3));
      await fx.land('services.csv', servicesCsv(2));
      await fx.land(
        'reservations_1.csv',
        reservationsCsv(4, (i) => (i === 4 ? 'r1,u2,s1,canceled,2024-03-01T10:00:00Z,' : undefined)),
      );
      const first = await fx.ingest();
      expect(first.files.at(-1)).toMatchObject({ rowsOk: 4, rowsNew: 3, rowsUpdated: 1 });
      await fx.land(
        'reservations_2.csv',
        reservationsCsv(5).replace(/\br(\d+),/g, (_m, d: string) => (Number(d) > 3 ? `n${d},` : `r${d},`)),
      );
      await fx.land('users_2.csv', usersCsv(4));
      const second = await fx.ingest();
      expect(second.files.map((f) => [f.key, f.rowsNew, f.rowsUpdated])).toEqual([
        ['landing/users_2.csv', 1, 3],
        ['landing/reservations_2.csv', 2, 3],
      ]);
      expect(second).toMatchObject({ rowsLoaded: 9, rowsNew: 3, rowsUpdated: 6 });
      expect(await fx.count('fact_reservation')).toBe(5);
    });

    it('records files that match no landing kind without loading them', async () => {
      await fx.land('products.csv', 'a,b\n1,2\n');
      const s = await fx.ingest();
      expect(s.files[0]).toMatchObject({ status: 'rejected', kind: 'unknown' });
      expect(s.files[0]!.message).toMatch(/must start with users, services, reservations or feedback/);
    });
  });
});

/**
 * A bucket in which `key` is replaced by `replacement` while it is being read: once its first bytes have been read,
 * the new content is written to the real store underneath (as an upload by the business would), then the read goes
 * on. Every other call goes straight to the real store.
 */
function replacedWhileRead(store: ObjectStore, key: string, replacement: string): ObjectStore {
  let replaced = false;
  return new Proxy(store, {
    get(target, prop) {
      if (prop !== 'get') {
        const value = Reflect.get(target, prop, target) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
      }
      return async (k: string) => {
        const inner = await target.get(k);
        if (k !== key || replaced) return inner;
        return Readable.from(
          (async function* () {
            for await (const chunk of inner) {
              yield chunk as Buffer;
              if (!replaced) {
                replaced = true;
                await target.put(key, replacement);
              }
            }
          })(),
        );
      };
    },
  });
}

/** The same load on every object store: a landing file replaced while it is read keeps hash, backup and rows in step. */
describe('a landing file replaced while it is loaded', () => {
  let s3: S3rverServer;
  let gcs: FakeGcsServer;
  let dir: string;
  beforeAll(async () => {
    [s3, gcs] = await Promise.all([startS3rver('landing-changes'), startFakeGcsServer({ buckets: ['landing-changes'] })]);
    dir = await mkdtemp(path.join(tmpdir(), 'pickwise-changes-'));
  }, 30_000);
  afterAll(async () => {
    await Promise.all([s3?.stop(), gcs?.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  const stores: { name: string; open: (run: number) => ObjectStore }[] = [
    { name: 'local', open: (run) => new LocalObjectStore(path.join(dir, `bucket-${run}`)) },
    {
      name: 'S3 (s3rver)',
      open: (run) =>
        new S3ObjectStore({
          bucket: 'landing-changes',
          prefix: `run-${run}`,
          endpoint: s3.endpoint,
          region: 'us-east-1',
          forcePathStyle: true,
          accessKeyId: 'S3RVER',
          secretAccessKey: 'S3RVER',
        }),
    },
    {
      name: 'GCS (real client, fake JSON API)',
      open: (run) => new GcsObjectStore({ bucket: 'landing-changes', prefix: `run-${run}`, apiEndpoint: gcs.url, projectId: 'pickwise-test' }),
    },
  ];
  let runs = 0;

  it.each(stores)('on $name: the ledger hash and the raw backup are those of the rows loaded; the new content loads next run', async ({ open }) => {
    const store = open(++runs);
    const url = `sqlite:${path.join(dir, `changes-${runs}.db`)}`;
    const fx = await createIngestFixture(url);
    try {
      // 2 000 users (~100 KB, several chunks) in Busan; the replacement has 2 500, in Seoul.
      const v1 = usersCsv(2000).replaceAll('Seoul-Gangnam', 'Busan');
      const v2 = usersCsv(2500).replaceAll('Seoul-Gangnam', 'Seoul');
      await store.put('landing/users.csv', v1);
      const first = await fx.ingest({ store: replacedWhileRead(store, 'landing/users.csv', v2) });
      const loaded = first.files[0]!;
      expect(loaded).toMatchObject({ status: 'loaded' });
      const backup = await readAll(store, loaded.backupKey!);
      const entry = await fx.warehouse.db.selectFrom('ingestFile').selectAll().executeTakeFirstOrThrow();
      expect(entry.sha256).toBe(createHash('sha256').update(backup).digest('hex'));
      expect(entry.sha256).toBe(loaded.sha256);
      expect(Number(entry.sizeBytes)).toBe(Buffer.byteLength(backup));
      // Every row in the warehouse is a line of the backup, and every data line of the backup was loaded or quarantined.
      const backupLines = new Set(backup.split('\n').slice(1).filter(Boolean));
      expect(loaded.rowsTotal).toBe(backupLines.size);
      const users = await fx.warehouse.db
        .selectFrom('dimUser')
        .innerJoin('dimRegion', 'dimRegion.regionKey', 'dimUser.regionKey')
        .select(['userId', 'regionName'])
        .execute();
      expect(users).toHaveLength(loaded.rowsOk);
      for (const u of users) expect([...backupLines].some((l) => l.startsWith(`${u.userId},`) && l.endsWith(`,${u.regionName}`))).toBe(true);

      // The replaced object is a new version: the next run loads exactly it.
      const second = await fx.ingest({ store });
      expect(second.files).toMatchObject([{ key: 'landing/users.csv', status: 'loaded', rowsOk: 2500, sha256: createHash('sha256').update(v2).digest('hex') }]);
      const regions = await fx.warehouse.db
        .selectFrom('dimUser')
        .innerJoin('dimRegion', 'dimRegion.regionKey', 'dimUser.regionKey')
        .select('regionName')
        .distinct()
        .execute();
      expect(regions).toEqual([{ regionName: 'Seoul' }]);
      expect(await fx.count('dim_user')).toBe(2500);
    } finally {
      await fx.close();
      await store.close();
    }
  });
});

async function readAll(store: ObjectStore, key: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of await store.get(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
