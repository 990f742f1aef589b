import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { warehouseBackends } from '../../test/support/backends.ts';
import { quotedFor, recordingDb, SQL_DIALECTS } from '../../test/support/compiled-sql.ts';
import { ledgerRow } from '../../test/support/ledger-row.ts';
import { FreshReservationRepo } from './fresh-reservation-repo.ts';
import { migrateToLatest } from './migrate.ts';
import { openWarehouse, type Warehouse } from './open-warehouse.ts';

const SELECT = 'select "r"."reservation_key", "r"."reservation_id", "u"."user_id", "s"."service_id", "r"."status", "r"."rating", "r"."updated_at"';
const FROM =
  'from "fact_reservation" as "r" inner join "dim_user" as "u" on "u"."user_key" = "r"."user_key" inner join "dim_service" as "s" on "s"."service_key" = "r"."service_key"';

describe.each(SQL_DIALECTS)('FreshReservationRepo SQL on %s', (dialect) => {
  const repo = new FreshReservationRepo(recordingDb(dialect).db);
  it('reads the watermark and the change mark from the primary key and the ledger', () => {
    expect(repo.watermarkQuery().compile()).toMatchObject({
      sql: quotedFor(
        dialect,
        'select (select max("reservation_key") as "k" from "fact_reservation") as "reservation_key", (select max("file_id") as "f" from "ingest_file" where "status" = ?) as "file_id"',
      ),
      parameters: ['loaded'],
    });
    expect(repo.changeMarkQuery().compile().sql).toBe(
      quotedFor(
        dialect,
        'select (select max("reservation_key") as "k" from "fact_reservation") as "reservation_key", (select max("finished_at") as "f" from "ingest_file") as "finished_at"',
      ),
    );
    expect(repo.keyAtQuery('2024-01-01 00:00:00.000').compile()).toMatchObject({
      sql: quotedFor(dialect, 'select max("reservation_key") as "k" from "fact_reservation" where "updated_at" <= ?'),
      parameters: ['2024-01-01 00:00:00.000'],
    });
  });
  it('reads rows inserted after the watermark: the first read by key alone, later ones by key or change, pages by key', () => {
    expect(repo.newerQuery({ afterKey: 10, seenKey: 10, seenUpdatedAt: null, limit: 500 }).compile()).toMatchObject({
      sql: quotedFor(dialect, `${SELECT} ${FROM} where "r"."reservation_key" > ? order by "r"."reservation_key" limit ?`),
      parameters: [10, 500],
    });
    const later = repo.newerQuery({ afterKey: 10, seenKey: 40, seenUpdatedAt: '2024-01-02 00:00:00.000', fromKey: 20, userId: 'U1', limit: 500 }).compile();
    expect(later).toMatchObject({
      sql: quotedFor(
        dialect,
        `${SELECT} ${FROM} where "r"."reservation_key" > ? and ("r"."reservation_key" > ? or "r"."updated_at" > ?) and "u"."user_id" = ? order by "r"."reservation_key" limit ?`,
      ),
      parameters: [20, 40, '2024-01-02 00:00:00.000', 'U1', 500],
    });
  });
});

describe.each(warehouseBackends())('FreshReservationRepo on $name', (backend) => {
  describe.skipIf(!backend.available)('execute', () => {
    let url: string;
    let warehouse: Warehouse;
    let repo: FreshReservationRepo;
    const T1 = '2024-03-01 10:00:00.000';
    const T2 = '2024-03-02 10:00:00.000';
    const fact = (id: string, o: { user?: number; file?: number; at?: string; status?: 'reserved' | 'completed' | 'canceled' } = {}) => ({
      reservationId: id,
      userKey: o.user ?? 1,
      serviceKey: 1,
      dateKey: 20240301,
      status: o.status ?? 'completed',
      reservedAt: '2024-03-01 09:00:00.000',
      rating: null,
      sourceFileId: o.file ?? 1,
      updatedAt: o.at ?? T1,
    });
    beforeAll(async () => {
      url = await backend.newDatabaseUrl('fresh_reservations');
      warehouse = await openWarehouse({ url });
      await migrateToLatest(warehouse);
      repo = new FreshReservationRepo(warehouse.db);
    });
    afterAll(async () => {
      await warehouse.close();
      await backend.dropDatabase(url);
    });

    it('an empty warehouse has watermark 0 and reads nothing', async () => {
      expect(await repo.watermark()).toEqual({ reservationKey: 0, fileId: null });
      expect(await repo.newer({ afterKey: 0, seenKey: 0, seenUpdatedAt: null, limit: 10 })).toEqual([]);
    });

    it('reads what was inserted after a watermark and what changed after a previous read, with user and service ids', async () => {
      await warehouse.db
        .insertInto('ingestFile')
        .values(ledgerRow({ fileId: 1, finishedAt: T1 }))
        .execute();
      await warehouse.db.insertInto('dimRegion').values({ regionName: 'north' }).execute();
      await warehouse.db.insertInto('dimCategory').values({ categoryName: 'spa' }).execute();
      const dim = { signupAt: T1, gender: null, birthYear: null, regionKey: null, sourceFileId: 1, updatedAt: T1 };
      await warehouse.db
        .insertInto('dimUser')
        .values([
          { ...dim, userId: 'U1' },
          { ...dim, userId: 'U2' },
        ])
        .execute();
      await warehouse.db
        .insertInto('dimService')
        .values({ serviceId: 'S1', name: 'Massage', categoryKey: 1, regionKey: null, price: 10, createdAt: T1, sourceFileId: 1, updatedAt: T1 })
        .execute();
      await warehouse.db
        .insertInto('factReservation')
        .values([fact('r1'), fact('r2')])
        .execute();
      const trained = await repo.watermark();
      expect(trained).toEqual({ reservationKey: 2, fileId: 1 });
      const before = await repo.changeMark();

      // A later file: a new reservation of U2, and r1 updated (a reservation the model was trained on).
      await warehouse.db
        .insertInto('ingestFile')
        .values(ledgerRow({ fileId: 2, objectKey: 'landing/reservations-2.csv', finishedAt: T2 }))
        .execute();
      await warehouse.db
        .insertInto('factReservation')
        .values(fact('r3', { user: 2, file: 2, at: T2, status: 'reserved' }))
        .execute();
      await warehouse.db.updateTable('factReservation').set({ status: 'canceled', sourceFileId: 2, updatedAt: T2 }).where('reservationId', '=', 'r1').execute();
      expect(await repo.changeMark()).not.toBe(before);
      const first = await repo.newer({ afterKey: trained.reservationKey, seenKey: trained.reservationKey, seenUpdatedAt: null, limit: 10 });
      expect(first).toEqual([{ reservationKey: 3, reservationId: 'r3', userId: 'U2', serviceId: 'S1', status: 'reserved', rating: null, updatedAt: T2 }]);

      // r3 changes after that read: the next read by change finds it, and nothing already seen unchanged.
      const T3 = '2024-03-03 10:00:00.000';
      await warehouse.db.updateTable('factReservation').set({ status: 'completed', rating: 5, updatedAt: T3 }).where('reservationId', '=', 'r3').execute();
      const next = await repo.newer({ afterKey: 2, seenKey: 3, seenUpdatedAt: T2, limit: 10 });
      expect(next.map((r) => [r.reservationId, r.status, r.rating, r.updatedAt])).toEqual([['r3', 'completed', 5, T3]]);
      expect(await repo.newer({ afterKey: 2, seenKey: 3, seenUpdatedAt: T3, limit: 10 })).toEqual([]);
      expect(await repo.newer({ afterKey: 0, seenKey: 0, seenUpdatedAt: null, userId: 'U1', limit: 10 })).toHaveLength(2);
      expect((await repo.newer({ afterKey: 0, seenKey: 0, seenUpdatedAt: null, fromKey: 1, limit: 1 })).map((r) => r.reservationKey)).toEqual([2]);
      // A model without a recorded watermark: the key reached by rows written at or before its training.
      expect(await repo.keyAt(T1)).toBe(2);
      expect(await repo.keyAt('2024-01-01 00:00:00.000')).toBe(0);
    });
  });
});
