import { Migrator, type MigrationResult } from 'kysely';
import { JobFailedError } from '../shared/errors.ts';
import { migrations } from './migrations/index.ts';
import type { Warehouse } from './open-warehouse.ts';

export interface MigrateReport {
  /** Migrations applied by this call, in order. */
  readonly applied: readonly string[];
  /** Every migration the schema now has. */
  readonly current: readonly string[];
}

/**
 * Brings the schema to the latest version. Safe to call from several processes at once:
 * Kysely's migrator takes a lock table first.
 */
export async function migrateToLatest(warehouse: Warehouse): Promise<MigrateReport> {
  const migrator = new Migrator({
    db: warehouse.db,
    provider: { getMigrations: async () => migrations },
    migrationTableName: 'schema_migration',
    migrationLockTableName: 'schema_migration_lock',
  });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    const failed = results?.find((r: MigrationResult) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new JobFailedError(`schema migration ${failed} failed on ${warehouse.displayUrl}: ${(error as Error).message}`, { cause: error });
  }
  const all = await migrator.getMigrations();
  return {
    applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName),
    current: all.filter((m) => m.executedAt !== undefined).map((m) => m.name),
  };
}
