import { sql } from 'kysely';
import type { Warehouse } from '../warehouse/index.ts';
import { LedgerRepo } from '../warehouse/index.ts';

export interface WarehouseStatus {
  readonly database: string;
  readonly tables: Readonly<Record<string, number>>;
  readonly ledger: {
    readonly byStatus: Readonly<Record<string, number>>;
    readonly recent: readonly { fileId: number; key: string; kind: string; status: string; rowsOk: number; rowsRejected: number; finishedAt: string | null; message: string | null }[];
  };
  readonly pendingQuarantineRows: number;
  readonly reservations: { readonly first: string | null; readonly last: string | null; readonly byStatus: Readonly<Record<string, number>> };
}

const TABLES = ['dim_user', 'dim_service', 'dim_category', 'dim_region', 'dim_date', 'fact_reservation', 'ingest_file', 'ingest_pending_row'] as const;

/** What the ledger and the warehouse hold (`pickwise status`). */
export async function warehouseStatus(warehouse: Warehouse, recent = 20): Promise<WarehouseStatus> {
  const { db } = warehouse;
  const tables: Record<string, number> = {};
  for (const t of TABLES) {
    const row = await sql<{ n: number }>`select count(*) as n from ${sql.table(t)}`.execute(db);
    tables[t] = Number(row.rows[0]?.n ?? 0);
  }
  const statusRows = await db.selectFrom('ingestFile').select(['status', db.fn.countAll<number>().as('n')]).groupBy('status').execute();
  const entries = await new LedgerRepo(db).list(recent);
  const span = await db.selectFrom('factReservation').select([db.fn.min('reservedAt').as('first'), db.fn.max('reservedAt').as('last')]).executeTakeFirst();
  const byStatus = await db.selectFrom('factReservation').select(['status', db.fn.countAll<number>().as('n')]).groupBy('status').execute();
  return {
    database: warehouse.displayUrl,
    tables,
    ledger: {
      byStatus: Object.fromEntries(statusRows.map((r) => [r.status, Number(r.n)])),
      recent: entries.map((e) => ({ fileId: e.fileId, key: e.objectKey, kind: e.kind, status: e.status, rowsOk: e.rowsOk, rowsRejected: e.rowsRejected, finishedAt: e.finishedAt, message: e.message })),
    },
    pendingQuarantineRows: tables['ingest_pending_row'] ?? 0,
    reservations: {
      first: (span?.first as string | null | undefined) ?? null,
      last: (span?.last as string | null | undefined) ?? null,
      byStatus: Object.fromEntries(byStatus.map((r) => [r.status, Number(r.n)])),
    },
  };
}
