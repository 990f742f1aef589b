import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The feature store: per-user and per-service aggregates of the star schema, kept as numbered snapshots so
 * that a model, a report or a person with SQL reads one consistent version (`where snapshot_id = …`).
 * Filled by `buildFeatureTables` (features/feature-tables.ts); only the latest few snapshots are kept.
 */
export const featureTables: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // feat_snapshot: one row per feature build; as_of is the newest reserved_at it covers (null when there were no reservations).
    await db.schema
      .createTable('feat_snapshot')
      .addColumn('snapshot_id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('as_of', sql`datetime(3)`)
      .addColumn('built_at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('users', 'integer', (c) => c.notNull())
      .addColumn('services', 'integer', (c) => c.notNull())
      .execute();

    // feat_user: one row per customer per snapshot; rates are 0 for a user without reservations.
    await db.schema
      .createTable('feat_user')
      .addColumn('snapshot_id', 'integer', (c) => c.notNull().references('feat_snapshot.snapshot_id'))
      .addColumn('user_key', 'integer', (c) => c.notNull())
      .addColumn('reservations', 'integer', (c) => c.notNull())
      .addColumn('completed', 'integer', (c) => c.notNull())
      .addColumn('canceled', 'integer', (c) => c.notNull())
      .addColumn('cancel_rate', 'real', (c) => c.notNull())
      .addColumn('last_reserved_at', sql`datetime(3)`)
      .addColumn('region_key', 'integer')
      // Decade of age in as_of's year, e.g. '20-29'; null without a birth year.
      .addColumn('age_band', 'varchar(16)')
      // Up to 3 category keys by completed reservations, most first (ties: lower key), e.g. '4,1,7'; '' when none.
      .addColumn('favourite_category_keys', 'varchar(64)', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_feat_user', ['snapshot_id', 'user_key'])
      .execute();

    // feat_service: one row per bookable service per snapshot; windows end at as_of, rates are 0 without reservations.
    await db.schema
      .createTable('feat_service')
      .addColumn('snapshot_id', 'integer', (c) => c.notNull().references('feat_snapshot.snapshot_id'))
      .addColumn('service_key', 'integer', (c) => c.notNull())
      // Non-canceled reservations with reserved_at in [as_of − 7 days, as_of], [as_of − 30 days, as_of], and all.
      .addColumn('reservations_last7d', 'integer', (c) => c.notNull())
      .addColumn('reservations_last30d', 'integer', (c) => c.notNull())
      .addColumn('reservations_all', 'integer', (c) => c.notNull())
      .addColumn('completed', 'integer', (c) => c.notNull())
      .addColumn('canceled', 'integer', (c) => c.notNull())
      // completed / every reservation and canceled / every reservation (any status).
      .addColumn('completion_rate', 'real', (c) => c.notNull())
      .addColumn('cancel_rate', 'real', (c) => c.notNull())
      .addColumn('rating_mean', 'real')
      .addColumn('rating_count', 'integer', (c) => c.notNull())
      .addColumn('category_key', 'integer', (c) => c.notNull())
      .addColumn('region_key', 'integer')
      // 'low', 'mid' or 'high': the price tercile within the category (equal prices share the lower band).
      .addColumn('price_band', 'varchar(4)', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_feat_service', ['snapshot_id', 'service_key'])
      .execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['feat_service', 'feat_user', 'feat_snapshot']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
