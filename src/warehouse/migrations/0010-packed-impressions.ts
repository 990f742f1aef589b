import { SqliteAdapter, sql, type Kysely, type Migration } from 'kysely';

/** Lists whose items are moved per statement. */
const CHUNK = 500;

/**
 * A served list's items move into one column of its rec_list row (`items`: JSON `[[service_id, score], …]`, rank 1
 * first), and rec_impression becomes a view over it with the same columns. Recording a list writes one row instead
 * of one per item, which is what recording costs the thread that serves; SQL over rec_impression reads as before.
 */
export const packedImpressions: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .alterTable('rec_list')
      .addColumn('items', sql`mediumtext`)
      .execute();
    // Lists recorded before: their rec_impression rows, in rank order, become the column.
    for (let after = ''; ;) {
      const ids = (
        await sql<{
          id: string;
        }>`select recommendation_id as id from rec_list where recommendation_id > ${after} order by recommendation_id limit ${CHUNK}`.execute(db)
      ).rows.map((r) => r.id);
      if (ids.length === 0) break;
      const shown = await sql<{ id: string; service: string; score: number }>`
        select recommendation_id as id, service_id as service, score from rec_impression
        where recommendation_id in (${sql.join(ids)}) order by recommendation_id, ${sql.ref('rank')}`.execute(db);
      const items = new Map<string, [string, number][]>(ids.map((id) => [id, []]));
      for (const r of shown.rows) items.get(r.id)!.push([r.service, Number(r.score)]);
      for (const [id, pairs] of items) await sql`update rec_list set items = ${JSON.stringify(pairs)} where recommendation_id = ${id}`.execute(db);
      after = ids[ids.length - 1]!;
    }
    await db.schema.dropTable('rec_impression').execute();
    await createImpressionView(db);
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropView('rec_impression').execute();
    await db.schema
      .createTable('rec_impression')
      .addColumn('recommendation_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('rank', 'integer', (c) => c.notNull())
      .addColumn('service_id', 'varchar(200)', (c) => c.notNull())
      .addColumn('score', 'double precision', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_rec_impression', ['recommendation_id', 'rank'])
      .execute();
    for (let after = ''; ;) {
      const lists = (
        await sql<{
          id: string;
          items: string | null;
        }>`select recommendation_id as id, items from rec_list where recommendation_id > ${after} order by recommendation_id limit ${CHUNK}`.execute(db)
      ).rows;
      if (lists.length === 0) break;
      const rows = lists.flatMap((l) =>
        (JSON.parse(l.items ?? '[]') as [string, number][]).map(([service, score], i) => ({
          recommendation_id: l.id,
          rank: i + 1,
          service_id: service,
          score,
        })),
      );
      if (rows.length > 0) await db.insertInto('rec_impression').values(rows).execute();
      after = lists[lists.length - 1]!.id;
    }
    await db.schema.alterTable('rec_list').dropColumn('items').execute();
  },
};

/** rec_impression(recommendation_id, rank, service_id, score): one row per item of rec_list.items. */
async function createImpressionView(db: Kysely<any>): Promise<void> {
  if (db.getExecutor().adapter instanceof SqliteAdapter) {
    await sql`create view rec_impression as
      select l.recommendation_id as recommendation_id, j.key + 1 as ${sql.ref('rank')},
        json_extract(j.value, '$[0]') as service_id, json_extract(j.value, '$[1]') as score
      from rec_list as l, json_each(l.items) as j`.execute(db);
    return;
  }
  await sql`create view rec_impression as
    select l.recommendation_id as recommendation_id, ${sql.ref('j.rank')} as ${sql.ref('rank')}, j.service_id as service_id, j.score as score
    from rec_list as l, json_table(l.items, '$[*]' columns (${sql.ref('rank')} for ordinality, service_id varchar(200) path '$[0]', score double path '$[1]')) as j`.execute(
    db,
  );
}
