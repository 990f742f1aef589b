/**
 * The SQL the warehouse repositories send, compiled under the SQLite and the MySQL/MariaDB dialects (with the
 * warehouse's CamelCasePlugin), then executed on both real backends. The two dialects differ here only in how
 * identifiers are quoted, so each expectation is written once with double quotes.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ledgerRow } from '../../test/support/ledger-row.ts';
import { compileOnlyWarehouseDialect, quotedFor, recordingDb, SQL_DIALECTS } from '../../test/support/compiled-sql.ts';
import { warehouseBackends } from '../../test/support/backends.ts';
import { MariaDbWarehouseDialect } from './dialects/mariadb.ts';
import { SqliteWarehouseDialect } from './dialects/sqlite.ts';
import {
  FeatureRepo,
  FeatureSnapshotRepo,
  IngestRepo,
  InteractionRepo,
  LedgerRepo,
  migrateToLatest,
  openWarehouse,
  StatusRepo,
  type Warehouse,
} from './index.ts';

type Compilable = { compile(): { sql: string; parameters: readonly unknown[] } };

const SINCE = '2024-01-01 00:00:00.000';
const noDialect = compileOnlyWarehouseDialect();

/** The main query of each repository, built on `db`. */
function queries(db: Warehouse['db']): Record<string, Compilable> {
  const ingest = new IngestRepo(db);
  const features = new FeatureRepo(db, noDialect);
  const snapshots = new FeatureSnapshotRepo(db);
  const status = new StatusRepo(db);
  const ledger = new LedgerRepo(db);
  return {
    'rows of the table a file loads into': ingest.countRowsQuery('reservations'),
    'pending reservations': ingest.pendingQuery(),
    'reservations a later file set': ingest.setByLaterFileQuery(['r1', 'r2'], 3),
    'every fact (feature scan)': features.factsQuery(undefined),
    'facts of some users': features.factsQuery({ userKeys: [1, 2] }),
    'facts of some services': features.factsQuery({ serviceKeys: [5] }),
    'as-of time': features.newestReservationQuery(),
    'latest snapshot': snapshots.latestQuery(),
    'watermark of the facts': snapshots.newestUpdateQuery('factReservation'),
    'facts changed since a watermark': snapshots.changedFactsQuery(SINCE),
    'carry-over of user rows': snapshots.carryOverUsersQuery(1, 2),
    'services reserved since': snapshots.servicesReservedSinceQuery(SINCE),
    'ledger by status': status.ledgerByStatusQuery(),
    'reservation span': status.reservationSpanQuery(),
    'interactions per user in time order': new InteractionRepo(db, noDialect).interactionsQuery(SINCE),
    'unchanged file version': ledger.findUnchangedQuery('landing/users.csv', 'etag-1', 120),
  };
}

const EXPECTED: Record<string, [sql: string, parameters: unknown[]]> = {
  'rows of the table a file loads into': ['select count(*) as "n" from "fact_reservation"', []],
  'pending reservations': [
    'select "pending_key", "file_id", "line_no", "code", "reason", "reservation_id", "user_id", "service_id", "status", "reserved_at", "rating" from "ingest_pending_row" order by "file_id", "line_no"',
    [],
  ],
  'reservations a later file set': [
    'select "reservation_id" from "fact_reservation" where "reservation_id" in (?, ?) and "source_file_id" > ?',
    ['r1', 'r2', 3],
  ],
  'every fact (feature scan)': ['select "user_key", "service_key", "status", "reserved_at", "rating" from "fact_reservation"', []],
  'facts of some users': ['select "user_key", "service_key", "status", "reserved_at", "rating" from "fact_reservation" where "user_key" in (?, ?)', [1, 2]],
  'facts of some services': ['select "user_key", "service_key", "status", "reserved_at", "rating" from "fact_reservation" where "service_key" in (?)', [5]],
  'as-of time': ['select max("reserved_at") as "as_of" from "fact_reservation"', []],
  'latest snapshot': [
    'select "snapshot_id", "as_of", "built_at", "users", "services", "source_updated_at", "build_mode" from "feat_snapshot" order by "snapshot_id" desc limit ?',
    [1],
  ],
  'watermark of the facts': ['select max("updated_at") as "t" from "fact_reservation"', []],
  'facts changed since a watermark': ['select "user_key", "service_key" from "fact_reservation" where "updated_at" > ?', [SINCE]],
  'carry-over of user rows': [
    'insert into "feat_user" ("snapshot_id", "user_key", "reservations", "completed", "canceled", "cancel_rate", "last_reserved_at", "region_key", "age_band", "favourite_category_keys") ' +
      'select ? as "snapshot_id", "user_key", "reservations", "completed", "canceled", "cancel_rate", "last_reserved_at", "region_key", "age_band", "favourite_category_keys" from "feat_user" where "snapshot_id" = ?',
    [2, 1],
  ],
  'services reserved since': ['select distinct "service_key" from "fact_reservation" where "reserved_at" >= ?', [SINCE]],
  'ledger by status': ['select "status", count(*) as "n" from "ingest_file" group by "status"', []],
  'reservation span': ['select min("reserved_at") as "first", max("reserved_at") as "last" from "fact_reservation"', []],
  'interactions per user in time order': [
    'select "user_key", "service_key", "status", "rating", "reserved_at" from "fact_reservation" where "reserved_at" >= ? order by "user_key", "reserved_at"',
    [SINCE],
  ],
  'unchanged file version': [
    'select * from "ingest_file" where "object_key" = ? and "source_etag" = ? and "size_bytes" = ? and "status" in (?, ?, ?) order by "file_id" desc',
    ['landing/users.csv', 'etag-1', 120, 'loaded', 'duplicate', 'rejected'],
  ],
};

describe.each(SQL_DIALECTS)('warehouse repositories compiled for %s', (dialect) => {
  const built = queries(recordingDb(dialect).db);
  it.each(Object.keys(EXPECTED))('%s', (name) => {
    const [sql, parameters] = EXPECTED[name]!;
    expect(built[name]!.compile()).toMatchObject({ sql: quotedFor(dialect, sql), parameters });
  });

  it('the bulk insert of feature rows', () => {
    const bulk = dialect === 'mysql' ? new MariaDbWarehouseDialect() : new SqliteWarehouseDialect(new Database(':memory:'), ':memory:');
    expect(bulk.insertSql('feat_service', ['snapshot_id', 'service_key'], 2)).toBe(
      quotedFor(dialect, 'insert into "feat_service" ("snapshot_id","service_key") values (?,?),(?,?)'),
    );
  });
});

describe.each(warehouseBackends())('warehouse repository queries on $name', (backend) => {
  describe.skipIf(!backend.available)('execute', () => {
    let url: string;
    let warehouse: Warehouse;
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('repo_queries');
      warehouse = await openWarehouse({ url });
      await migrateToLatest(warehouse);
    });
    afterAll(async () => {
      await warehouse.close();
      await backend.dropDatabase(url);
    });

    it('runs every compiled query on an empty warehouse', async () => {
      for (const [name, query] of Object.entries(queries(warehouse.db))) {
        const { sql, parameters } = query.compile();
        await expect(warehouse.db.executeQuery({ sql, parameters, query: { kind: 'RawNode' } } as never), name).resolves.toBeDefined();
      }
    });

    it('streams facts as arrays in select order through the dialect', async () => {
      await warehouse.db
        .insertInto('ingestFile')
        .values(ledgerRow({ fileId: 1, objectKey: 'k', sha256: 's', sizeBytes: 1, sourceEtag: 'e', detectedAt: SINCE }))
        .execute();
      const fact = {
        userKey: 4,
        serviceKey: 9,
        dateKey: 20240301,
        status: 'completed' as const,
        reservedAt: '2024-03-01 10:00:00.000',
        rating: 5,
        sourceFileId: 1,
        updatedAt: SINCE,
      };
      await warehouse.db
        .insertInto('factReservation')
        .values([
          { ...fact, reservationId: 'r1' },
          { ...fact, reservationId: 'r2', userKey: 5, rating: null },
        ])
        .execute();
      const rows: unknown[] = [];
      await new FeatureRepo(warehouse.db, warehouse.dialect).scanFacts({ userKeys: [4] }, (f) => rows.push([...f]));
      expect(rows).toEqual([[4, 9, 'completed', '2024-03-01 10:00:00.000', 5]]);
      const all: unknown[] = [];
      await new InteractionRepo(warehouse.db, warehouse.dialect).scanInteractions(undefined, (f) => all.push([...f]));
      expect(all).toEqual([
        [4, 9, 'completed', 5, '2024-03-01 10:00:00.000'],
        [5, 9, 'completed', null, '2024-03-01 10:00:00.000'],
      ]);
      // A failure while rows arrive fails the scan (and nothing else), after which the warehouse is still usable.
      const failure = new Error('aggregation failed');
      await expect(
        new FeatureRepo(warehouse.db, warehouse.dialect).scanFacts(undefined, () => {
          throw failure;
        }),
      ).rejects.toBe(failure);
      expect(await new IngestRepo(warehouse.db).countRows('reservations')).toBe(2);
    });
  });
});
