import type { Kysely, Migration } from 'kysely';
import { backfillShownServices } from '../rollup-backfill.ts';
import { backfillShownServiceDays, createShownServiceDay } from './0011-monitoring-rollups.ts';

/**
 * Catalogue coverage from one row per (model version, service shown) holding the latest UTC hour it was shown
 * (`last_hour`, yyyymmddhh), instead of one row per day (agg_shown_service_day): the services a version showed in a
 * window ending now are a count of its rows with `last_hour` ≥ the window's first hour, read from an index, where the
 * daily rows needed a distinct count over every day of the window. Coverage becomes exact to the hour.
 */
export const shownServiceLatest: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('agg_shown_service')
      .addColumn('model_name', 'varchar(200)', (c) => c.notNull())
      .addColumn('registry_version', 'integer', (c) => c.notNull())
      .addColumn('service_id', 'varchar(200)', (c) => c.notNull())
      .addColumn('last_hour', 'integer', (c) => c.notNull())
      .addPrimaryKeyConstraint('pk_agg_shown_service', ['model_name', 'registry_version', 'service_id'])
      .execute();
    await db.schema.createIndex('ix_agg_shown_service_recent').on('agg_shown_service').columns(['last_hour', 'model_name', 'registry_version']).execute();
    await backfillShownServices(db);
    await db.schema.dropTable('agg_shown_service_day').execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await createShownServiceDay(db);
    await backfillShownServiceDays(db);
    await db.schema.dropTable('agg_shown_service').execute();
  },
};
