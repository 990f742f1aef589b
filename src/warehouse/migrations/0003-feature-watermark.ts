import { sql, type Kysely, type Migration } from 'kysely';

/**
 * Incremental feature builds: each snapshot records how far into the warehouse's changes it reaches, so the
 * next build after an ingest recomputes only the users and services whose rows changed since.
 */
export const featureWatermark: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // source_updated_at: newest updated_at of any fact or dimension row the snapshot saw (null: none).
    await db.schema
      .alterTable('feat_snapshot')
      .addColumn('source_updated_at', sql`datetime(3)`)
      .execute();
    // build_mode: 'full' (every row computed) or 'incremental' (changed rows recomputed, the rest carried over).
    await db.schema
      .alterTable('feat_snapshot')
      .addColumn('build_mode', 'varchar(16)', (c) => c.notNull().defaultTo('full'))
      .execute();
    // recomputed_users / recomputed_services: rows computed by this build (the rest were carried over).
    await db.schema
      .alterTable('feat_snapshot')
      .addColumn('recomputed_users', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
    await db.schema
      .alterTable('feat_snapshot')
      .addColumn('recomputed_services', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const column of ['recomputed_services', 'recomputed_users', 'build_mode', 'source_updated_at']) {
      await db.schema.alterTable('feat_snapshot').dropColumn(column).execute();
    }
  },
};
