/** The warehouse: star schema, migrations and the one query layer (Kysely) over SQLite and MariaDB. */
export { openWarehouse, type Warehouse } from './open-warehouse.ts';
export { migrateToLatest, type MigrateReport } from './migrate.ts';
export { StarWriter } from './star-writer.ts';
export { referenceKeysOf, reservationColumns, RESERVATION_INTS, STATUS_BY_CODE, type DimensionKeys, type ReservationColumns } from './reservation-columns.ts';
export { LedgerRepo, SETTLED_STATUSES, type LedgerEntry } from './ledger-repo.ts';
export { ServiceRepo, type ServiceCatalogRows, type ServiceRow } from './service-repo.ts';
export { WarehouseDialect, type UpsertSpec } from './dialects/warehouse-dialect.ts';
export { KEY_CHUNK, keyChunks } from './key-chunks.ts';
export type * from './schema.ts';
