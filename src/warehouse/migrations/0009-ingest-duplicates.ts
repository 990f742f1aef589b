import type { Kysely, Migration } from 'kysely';

/** The ledger counts the rows of a feedback file whose events were stored already (its accounting: total = ok + duplicate + rejected). */
export const ingestDuplicates: Migration = {
  async up(db: Kysely<any>): Promise<void> {
    // rows_duplicate: rows of a loaded feedback*.csv whose event_id was stored before, for the same event (an
    // earlier file, the API, or earlier in the file): counted, not stored again. 0 for every other kind.
    await db.schema
      .alterTable('ingest_file')
      .addColumn('rows_duplicate', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.alterTable('ingest_file').dropColumn('rows_duplicate').execute();
  },
};
