import { randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { createConnection } from 'mysql2/promise';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { migrateToLatest, openWarehouse } from '../../src/warehouse/index.ts';
import { createIngestFixture, RESERVATIONS_HEADER, SERVICES_HEADER, USERS_HEADER } from '../support/ingest-fixture.ts';
import { createDatabaseAt, dropDatabaseAt, findMariaDb, startMariaDb, type MariaDbServer } from '../support/mariadb-server.ts';

const serverUrl = inject('mariadbUrl');
const KOREAN_SERVICE = '강남 헤어살롱 🌸';
const KOREAN_REGION = '부산';

async function defaultCharset(url: string): Promise<string> {
  const w = await openWarehouse({ url });
  try {
    // Read through information_schema, not @@character_set_database of the opened (and by then fixed) connection.
    const name = decodeURIComponent(new URL(url).pathname.slice(1));
    const r = await sql<{ cs: string }>`select default_character_set_name as cs from information_schema.schemata where schema_name = ${name}`.execute(w.db);
    return r.rows[0]!.cs;
  } finally {
    await w.close();
  }
}

/** MariaDB whose defaults are latin1: the warehouse must still hold Korean names (text that latin1 cannot). */
describe.skipIf(serverUrl === null)('MariaDB with a latin1 default', () => {
  const name = `t_latin1_${randomBytes(4).toString('hex')}`;
  let url: string;
  beforeAll(async () => {
    url = await createDatabaseAt(serverUrl!, name, { charset: 'latin1' });
  });
  afterAll(async () => dropDatabaseAt(serverUrl!, name));

  it('makes the database utf8mb4 before the migrations create tables, converts tables left in latin1, and loads Korean names', async () => {
    const first = await openWarehouse({ url });
    expect(first.prepared).toEqual([`database ${name}: default character set latin1 → utf8mb4`]);
    await migrateToLatest(first);
    const collations = await sql<{
      c: string;
    }>`select distinct table_collation as c from information_schema.tables where table_schema = database() and table_type = 'BASE TABLE'`.execute(first.db);
    expect(collations.rows.map((r) => r.c)).toEqual(['utf8mb4_unicode_ci']);
    // A table created under the old default (as by an earlier version): converted when the warehouse next opens.
    await sql`alter table dim_service convert to character set latin1`.execute(first.db);
    await first.close();

    const fixture = await createIngestFixture(url);
    try {
      expect(fixture.warehouse.prepared).toEqual(['table dim_service: latin1_swedish_ci → utf8mb4_unicode_ci']);
      await fixture.land('users.csv', `${USERS_HEADER}\nu1,2024-01-01T00:00:00Z,여,1990,${KOREAN_REGION}\n`);
      await fixture.land('services.csv', `${SERVICES_HEADER}\ns1,${KOREAN_SERVICE},미용,${KOREAN_REGION},30000,2024-01-01T00:00:00Z\n`);
      await fixture.land('reservations.csv', `${RESERVATIONS_HEADER}\nr1,u1,s1,completed,2024-02-01T10:00:00Z,5\n`);
      const summary = await fixture.ingest();
      expect(summary.files.map((f) => f.status)).toEqual(['loaded', 'loaded', 'loaded']);
      expect(summary.rowsRejected).toBe(0);
      const row = await fixture.warehouse.db
        .selectFrom('dimService as s')
        .innerJoin('dimRegion as r', 'r.regionKey', 's.regionKey')
        .innerJoin('dimCategory as c', 'c.categoryKey', 's.categoryKey')
        .select(['s.name', 'r.regionName', 'c.categoryName'])
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ name: KOREAN_SERVICE, regionName: KOREAN_REGION, categoryName: '미용' });
    } finally {
      await fixture.close();
    }
    expect(await defaultCharset(url)).toBe('utf8mb4');
  });
});

/** A server that imposes latin1 on every client: refused at start-up with the reason, before anything is written. */
describe.skipIf(findMariaDb() === undefined)('MariaDB forcing latin1 on its clients', () => {
  let server: MariaDbServer;
  beforeAll(async () => {
    server = await startMariaDb({
      extraArgs: ['--character-set-server=latin1', '--collation-server=latin1_swedish_ci', '--skip-character-set-client-handshake'],
    });
  });
  afterAll(async () => server?.stop());

  it('refuses to open the warehouse, naming the character sets and what to change', async () => {
    const url = await server.createDatabase('t_forced_latin1');
    await expect(openWarehouse({ url })).rejects.toThrow(
      /character set client latin1, connection latin1, results latin1 instead of utf8mb4.*skip-character-set-client-handshake/,
    );
    // Nothing was created: the refusal comes before the migrations.
    const conn = await createConnection(url);
    try {
      const [rows] = await conn.query('select count(*) as n from information_schema.tables where table_schema = database()');
      expect(Number((rows as { n: number }[])[0]!.n)).toBe(0);
    } finally {
      await conn.end();
    }
  });
});
