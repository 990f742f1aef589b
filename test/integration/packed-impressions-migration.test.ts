/**
 * Migration 0010 on SQLite and the real MariaDB: lists recorded with one rec_impression row per item keep every item
 * (rank, service, score) once their items move into rec_list.items, rec_impression reads the same as a view, and the
 * way back restores the table.
 */
import { Migrator, sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrations } from '../../src/warehouse/migrations/index.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';

const BEFORE = '0009-ingest-duplicates';
type OldImpression = { recommendation_id: string; rank: number; service_id: string; score: number };
/** The two tables as 0009 left them, by their SQL names. */
interface OldDb {
  rec_list: Record<string, unknown>;
  rec_impression: OldImpression;
}
/** More lists than the migration moves per statement, so its paging is exercised. */
const LISTS = 620;

const migrator = (w: Warehouse) =>
  new Migrator({
    db: w.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migration',
    migrationLockTableName: 'schema_migration_lock',
  });

/** List i shows i % 4 services (list 0 none), stored out of rank order as an older version could. */
function oldRows(): { lists: Record<string, unknown>[]; impressions: OldImpression[] } {
  const lists: Record<string, unknown>[] = [];
  const impressions: OldImpression[] = [];
  for (let i = 0; i < LISTS; i++) {
    const id = `r${String(i).padStart(4, '0')}`;
    const n = i % 4;
    lists.push({
      recommendation_id: id,
      source: 'user',
      batch_id: null,
      user_id: `u${i % 7}`,
      model_name: 'shop',
      registry_version: 1,
      model_kind: 'als',
      artifact_version: 'v1',
      basis: 'model',
      filter_category: null,
      filter_region: null,
      k: 3,
      item_count: n,
      created_at: '2026-03-02 10:00:00.000',
    });
    for (let r = n; r >= 1; r--) impressions.push({ recommendation_id: id, rank: r, service_id: `s"${(i + r) % 11}`, score: Math.fround(1 / (r + i)) });
  }
  return { lists, impressions };
}

describe.each(warehouseBackends())('migration 0010 (items packed in rec_list) on $name', (backend) => {
  describe.skipIf(!backend.available)('', () => {
    let url: string;
    let warehouse: Warehouse;
    const old = oldRows();
    const expected = [...old.impressions].sort((a, b) =>
      a.recommendation_id < b.recommendation_id ? -1 : a.recommendation_id > b.recommendation_id ? 1 : a.rank - b.rank,
    );
    const impressionRows = async () =>
      (
        await sql<{
          id: string;
          r: number;
          s: string;
          sc: number;
        }>`select recommendation_id as id, ${sql.ref('rank')} as r, service_id as s, score as sc from rec_impression order by recommendation_id, ${sql.ref('rank')}`.execute(
          warehouse.db,
        )
      ).rows.map((x) => ({ recommendation_id: x.id, rank: Number(x.r), service_id: x.s, score: Number(x.sc) }));

    beforeAll(async () => {
      url = await backend.newDatabaseUrl('packed_impressions');
      warehouse = await openWarehouse({ url });
      const { error } = await migrator(warehouse).migrateTo(BEFORE);
      if (error) throw error;
      const db = warehouse.db.withoutPlugins() as unknown as Kysely<OldDb>;
      for (let i = 0; i < old.lists.length; i += 100)
        await db
          .insertInto('rec_list')
          .values(old.lists.slice(i, i + 100))
          .execute();
      for (let i = 0; i < old.impressions.length; i += 200)
        await db
          .insertInto('rec_impression')
          .values(old.impressions.slice(i, i + 200))
          .execute();
    });
    afterAll(async () => {
      await warehouse?.close();
      await backend.dropDatabase(url);
    });

    it('moves every item into rec_list.items in rank order, and rec_impression shows the same rows as a view', async () => {
      await migrateToLatest(warehouse);
      expect(await impressionRows()).toEqual(expected);
      const packed = await warehouse.db.selectFrom('recList').select(['recommendationId', 'items']).orderBy('recommendationId').execute();
      expect(packed).toHaveLength(LISTS);
      expect(packed[0]).toEqual({ recommendationId: 'r0000', items: '[]' });
      expect(JSON.parse(packed[2]!.items)).toEqual([
        ['s"3', Math.fround(1 / 3)],
        ['s"4', Math.fround(1 / 4)],
      ]);
      // The view answers the questions the table did: items of one list, lists that showed a service.
      const shown = await warehouse.db
        .selectFrom('recImpression')
        .select(['rank', 'serviceId'])
        .where('recommendationId', '=', 'r0003')
        .orderBy('rank')
        .execute();
      expect(shown.map((r) => [Number(r.rank), r.serviceId])).toEqual([
        [1, 's"4'],
        [2, 's"5'],
        [3, 's"6'],
      ]);
    });

    it('goes back to one rec_impression row per item, every item kept', async () => {
      const { error } = await migrator(warehouse).migrateTo(BEFORE);
      expect(error).toBeUndefined();
      expect(await impressionRows()).toEqual(expected);
      await migrateToLatest(warehouse);
      expect(await impressionRows()).toEqual(expected);
    });
  });
});
