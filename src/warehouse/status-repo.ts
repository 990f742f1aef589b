import { sql, type Kysely } from 'kysely';
import type { WarehouseDb } from './schema.ts';

/** Tables whose row counts `pickwise status` shows. */
export const STATUS_TABLES = [
  'dim_user',
  'dim_service',
  'dim_category',
  'dim_region',
  'dim_date',
  'fact_reservation',
  'fact_feedback',
  'ingest_file',
  'ingest_pending_row',
] as const;

/** What `pickwise status` reads besides the ledger's entries (LedgerRepo) and the feature snapshot (FeatureSnapshotRepo). */
export class StatusRepo {
  readonly #db: Kysely<WarehouseDb>;
  constructor(db: Kysely<WarehouseDb>) {
    this.#db = db;
  }

  countQuery(table: (typeof STATUS_TABLES)[number]) {
    return sql<{ n: number }>`select count(*) as n from ${sql.table(table)}`;
  }

  /** Rows per table of {@link STATUS_TABLES}. */
  async tableCounts(): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (const t of STATUS_TABLES) counts[t] = Number((await this.countQuery(t).execute(this.#db)).rows[0]?.n ?? 0);
    return counts;
  }

  ledgerByStatusQuery() {
    return this.#db
      .selectFrom('ingestFile')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .groupBy('status');
  }

  /** Ledger entries per status. */
  async ledgerByStatus(): Promise<Record<string, number>> {
    return Object.fromEntries((await this.ledgerByStatusQuery().execute()).map((r) => [r.status, Number(r.n)]));
  }

  reservationSpanQuery() {
    return this.#db.selectFrom('factReservation').select((eb) => [eb.fn.min('reservedAt').as('first'), eb.fn.max('reservedAt').as('last')]);
  }

  /** The first and last `reserved_at` (null without reservations). */
  async reservationSpan(): Promise<{ first: string | null; last: string | null }> {
    const span = await this.reservationSpanQuery().executeTakeFirst();
    return { first: span?.first ?? null, last: span?.last ?? null };
  }

  reservationsByStatusQuery() {
    return this.#db
      .selectFrom('factReservation')
      .select((eb) => ['status', eb.fn.countAll<number>().as('n')])
      .groupBy('status');
  }

  async reservationsByStatus(): Promise<Record<string, number>> {
    return Object.fromEntries((await this.reservationsByStatusQuery().execute()).map((r) => [r.status, Number(r.n)]));
  }
}
