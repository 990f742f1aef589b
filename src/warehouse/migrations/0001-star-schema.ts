import { sql, type Kysely, type Migration } from 'kysely';

/**
 * The star schema. Surrogate integer keys (`*_key`), unique natural keys (`*_id`, names).
 * Written once for both SQLite and MariaDB through Kysely's schema builder.
 */
export const starSchema: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // dim_region: one row per region name used by users or services ("Seoul-Gangnam", "Busan").
    await db.schema
      .createTable('dim_region')
      .addColumn('region_key', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('region_name', 'varchar(100)', (c) => c.notNull().unique())
      .execute();

    // dim_category: one row per service category ("beauty", "fitness").
    await db.schema
      .createTable('dim_category')
      .addColumn('category_key', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('category_name', 'varchar(100)', (c) => c.notNull().unique())
      .execute();

    // dim_date: the calendar, one row per day that any reservation falls on (UTC), key yyyymmdd.
    await db.schema
      .createTable('dim_date')
      .addColumn('date_key', 'integer', (c) => c.primaryKey())
      .addColumn('full_date', 'varchar(10)', (c) => c.notNull())
      .addColumn('year', 'integer', (c) => c.notNull())
      .addColumn('quarter', 'integer', (c) => c.notNull())
      .addColumn('month', 'integer', (c) => c.notNull())
      .addColumn('day', 'integer', (c) => c.notNull())
      .addColumn('iso_week', 'integer', (c) => c.notNull())
      .addColumn('weekday', 'integer', (c) => c.notNull())
      .addColumn('is_weekend', 'integer', (c) => c.notNull())
      .execute();

    // ingest_file: the ledger, one row per version (content hash) of every landing file seen.
    await db.schema
      .createTable('ingest_file')
      .addColumn('file_id', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('object_key', 'varchar(512)', (c) => c.notNull())
      .addColumn('sha256', 'char(64)', (c) => c.notNull())
      .addColumn('size_bytes', 'bigint', (c) => c.notNull())
      .addColumn('source_etag', 'varchar(200)')
      .addColumn('kind', 'varchar(16)', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('rows_total', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rows_ok', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rows_rejected', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('rejects_by_code', 'text')
      .addColumn('backup_key', 'varchar(700)')
      .addColumn('quarantine_key', 'varchar(700)')
      .addColumn('duplicate_of_file_id', 'integer', (c) => c.references('ingest_file.file_id'))
      .addColumn('message', 'text')
      .addColumn('detected_at', 'varchar(23)', (c) => c.notNull())
      .addColumn('started_at', 'varchar(23)')
      .addColumn('finished_at', 'varchar(23)')
      .addUniqueConstraint('uq_ingest_file_key_sha', ['sha256', 'object_key'])
      .execute();
    await db.schema.createIndex('ix_ingest_file_status').on('ingest_file').columns(['status', 'sha256']).execute();

    // dim_user: one row per customer (natural key user_id), last upload wins.
    await db.schema
      .createTable('dim_user')
      .addColumn('user_key', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('user_id', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('signup_at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('gender', 'varchar(16)')
      .addColumn('birth_year', 'integer')
      .addColumn('region_key', 'integer', (c) => c.references('dim_region.region_key'))
      .addColumn('source_file_id', 'integer', (c) => c.notNull().references('ingest_file.file_id'))
      .addColumn('updated_at', sql`datetime(3)`, (c) => c.notNull())
      .execute();

    // dim_service: one row per bookable service (natural key service_id), last upload wins.
    await db.schema
      .createTable('dim_service')
      .addColumn('service_key', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('service_id', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('category_key', 'integer', (c) => c.notNull().references('dim_category.category_key'))
      .addColumn('region_key', 'integer', (c) => c.references('dim_region.region_key'))
      .addColumn('price', 'decimal(14, 2)', (c) => c.notNull())
      .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('source_file_id', 'integer', (c) => c.notNull().references('ingest_file.file_id'))
      .addColumn('updated_at', sql`datetime(3)`, (c) => c.notNull())
      .execute();

    // fact_reservation: one row per reservation (natural key reservation_id); a later row with the
    // same id updates its status and rating. The grain the recommender learns from. Its keys are resolved
    // by the loader against the dimensions; like most warehouses it declares no enforced foreign keys, which
    // would cost an index and a lookup per key on every load.
    await db.schema
      .createTable('fact_reservation')
      .addColumn('reservation_key', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('reservation_id', 'varchar(64)', (c) => c.notNull().unique())
      .addColumn('user_key', 'integer', (c) => c.notNull())
      .addColumn('service_key', 'integer', (c) => c.notNull())
      .addColumn('date_key', 'integer', (c) => c.notNull())
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('reserved_at', sql`datetime(3)`, (c) => c.notNull())
      .addColumn('rating', 'smallint')
      .addColumn('source_file_id', 'integer', (c) => c.notNull())
      .addColumn('updated_at', sql`datetime(3)`, (c) => c.notNull())
      .execute();
    // "All interactions of each user, in time order" (training matrix, temporal hold-out).
    await db.schema.createIndex('ix_fact_reservation_user_time').on('fact_reservation').columns(['user_key', 'reserved_at']).execute();
    // "Interactions since T" (incremental features and retraining).
    await db.schema.createIndex('ix_fact_reservation_time').on('fact_reservation').column('reserved_at').execute();

    // ingest_pending_row: reservations quarantined only because their user or service was not known yet;
    // `pickwise ingest --retry-quarantine` re-validates them once the missing rows have landed.
    await db.schema
      .createTable('ingest_pending_row')
      .addColumn('pending_key', 'integer', (c) => c.primaryKey().autoIncrement())
      .addColumn('file_id', 'integer', (c) => c.notNull().references('ingest_file.file_id'))
      .addColumn('line_no', 'integer', (c) => c.notNull())
      .addColumn('code', 'varchar(32)', (c) => c.notNull())
      .addColumn('reason', 'varchar(500)', (c) => c.notNull())
      .addColumn('reservation_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('user_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('service_id', 'varchar(255)', (c) => c.notNull())
      .addColumn('status', 'varchar(64)', (c) => c.notNull())
      .addColumn('reserved_at', 'varchar(64)', (c) => c.notNull())
      .addColumn('rating', 'varchar(64)', (c) => c.notNull())
      .addColumn('created_at', sql`datetime(3)`, (c) => c.notNull())
      .execute();
    await db.schema.createIndex('ix_ingest_pending_row_file').on('ingest_pending_row').columns(['file_id', 'line_no']).execute();
  },

  async down(db: Kysely<any>): Promise<void> {
    for (const t of ['ingest_pending_row', 'fact_reservation', 'dim_service', 'dim_user', 'ingest_file', 'dim_date', 'dim_category', 'dim_region']) {
      await db.schema.dropTable(t).ifExists().execute();
    }
  },
};
