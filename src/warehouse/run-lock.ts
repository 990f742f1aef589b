import { BusyError } from '../shared/index.ts';
import type { RunLock } from './dialects/warehouse-dialect.ts';
import type { Warehouse } from './open-warehouse.ts';

/**
 * Takes the warehouse's run lock, held by whatever writes facts, dimensions or feature snapshots (an ingest, a
 * feature build), so that two such runs never overlap; throws BusyError (a ConflictError: exit code 5, retried by orchestration) naming the holder when
 * another process has it. A lock left by a killed process is released by the backend (see tryLock).
 */
export async function acquireRunLock(warehouse: Warehouse, what: string): Promise<RunLock> {
  const lock = await warehouse.dialect.tryLock(warehouse.db, 'ingest');
  if ('release' in lock) return lock;
  throw new BusyError(
    `cannot start ${what}: another pickwise ingest or feature build is running on ${warehouse.displayUrl} (${lock.description}); run again when it has finished`,
  );
}
