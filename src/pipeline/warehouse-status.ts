import { featureFreshness, type FeatureFreshness } from '../features/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import { LedgerRepo, StatusRepo } from '../warehouse/index.ts';

export interface WarehouseStatus {
  readonly database: string;
  readonly tables: Readonly<Record<string, number>>;
  readonly ledger: {
    readonly byStatus: Readonly<Record<string, number>>;
    readonly recent: readonly {
      fileId: number;
      key: string;
      kind: string;
      status: string;
      rowsOk: number;
      /** Feedback rows whose event was stored already (0 for other kinds). */
      rowsDuplicate: number;
      rowsRejected: number;
      finishedAt: string | null;
      message: string | null;
    }[];
  };
  readonly pendingQuarantineRows: number;
  readonly reservations: { readonly first: string | null; readonly last: string | null; readonly byStatus: Readonly<Record<string, number>> };
  /** Whether the feature snapshot is current (a stale or missing one is rebuilt by the next `pickwise ingest`). */
  readonly features: FeatureFreshness;
}

/** What the ledger and the warehouse hold (`pickwise status`). */
export async function warehouseStatus(warehouse: Warehouse, recent = 20): Promise<WarehouseStatus> {
  const repo = new StatusRepo(warehouse.db);
  const tables = await repo.tableCounts();
  const entries = await new LedgerRepo(warehouse.db).list(recent);
  return {
    database: warehouse.displayUrl,
    tables,
    ledger: {
      byStatus: await repo.ledgerByStatus(),
      recent: entries.map((e) => ({
        fileId: e.fileId,
        key: e.objectKey,
        kind: e.kind,
        status: e.status,
        rowsOk: e.rowsOk,
        rowsDuplicate: Number(e.rowsDuplicate),
        rowsRejected: e.rowsRejected,
        finishedAt: e.finishedAt,
        message: e.message,
      })),
    },
    pendingQuarantineRows: tables['ingest_pending_row'] ?? 0,
    reservations: { ...(await repo.reservationSpan()), byStatus: await repo.reservationsByStatus() },
    features: await featureFreshness(warehouse),
  };
}
