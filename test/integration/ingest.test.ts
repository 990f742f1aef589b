import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, RESERVATIONS_HEADER, servicesCsv, usersCsv, type IngestFixture } from '../support/ingest-fixture.ts';

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
        ['landing/users.csv', 'loaded'], ['landing/services.csv', 'loaded'], ['landing/reservations.csv', 'loaded'],
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
      const csv = [
        'service_id,name,category,region,price,created_at',
        's1,"Nail art, gel ""premium""",beauty,Seoul,30000,2024-01-01T00:00:00Z',
        's2,"Two-line',
        'name",fitness,,15000.5,2024-01-02T09:00:00+09:00',
        's3,Bad price,fitness,,-5,2024-01-02T00:00:00Z',
      ].join('\n') + '\n';
      await fx.land('services.csv', csv);
      const s = await fx.ingest();
      expect(s.files[0]).toMatchObject({ rowsOk: 2, rowsRejected: 1 });
      const rows = await fx.warehouse.db.selectFrom('dimService').select(['serviceId', 'name', 'price', 'createdAt', 'regionKey']).orderBy('serviceId').execute();
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
      expect(r2).toMatchObject({ status: 'reserved', rating: null, sourceFileId: (await fx.warehouse.db.selectFrom('ingestFile').select('fileId').where('objectKey', '=', 'landing/reservations.csv').executeTakeFirstOrThrow()).fileId });
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
      const u = await fx.warehouse.db.selectFrom('dimUser').innerJoin('dimRegion', 'dimRegion.regionKey', 'dimUser.regionKey').select(['userId', 'regionName', 'birthYear']).executeTakeFirstOrThrow();
      expect(u).toEqual({ userId: 'u1', regionName: 'Busan', birthYear: 1990 });
    });

    it('records files that match no landing kind without loading them', async () => {
      await fx.land('products.csv', 'a,b\n1,2\n');
      const s = await fx.ingest();
      expect(s.files[0]).toMatchObject({ status: 'rejected', kind: 'unknown' });
      expect(s.files[0]!.message).toMatch(/must start with users, services or reservations/);
    });
  });
});
