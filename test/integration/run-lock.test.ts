/**
 * The warehouse's run lock (held by an ingest or a feature build): a second taker on the same warehouse is told who
 * holds it, and the error is retried by orchestration; another warehouse on the same server (two installations on
 * one MariaDB) is not blocked by it.
 */
import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../src/orchestration/index.ts';
import { BusyError } from '../../src/shared/index.ts';
import { acquireRunLock, migrateToLatest, openWarehouse, type Warehouse } from '../../src/warehouse/index.ts';
import { warehouseBackends } from '../support/backends.ts';

describe.each(warehouseBackends())('the run lock on $name', (backend) => {
  describe.skipIf(!backend.available)('', () => {
    it('refuses a second taker of one warehouse (busy: retried), and leaves another warehouse of the same server free', async () => {
      const urls = [await backend.newDatabaseUrl('lock_a'), await backend.newDatabaseUrl('lock_b')];
      const opened: Warehouse[] = [];
      try {
        for (const url of [urls[0]!, urls[0]!, urls[1]!]) {
          const w = await openWarehouse({ url });
          await migrateToLatest(w);
          opened.push(w);
        }
        const [a, sameAsA, b] = opened as [Warehouse, Warehouse, Warehouse];
        const held = await acquireRunLock(a, 'an ingest');
        const refused = await acquireRunLock(sameAsA, 'a feature build').then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(refused).toBeInstanceOf(BusyError);
        expect((refused as Error).message).toMatch(/^cannot start a feature build: another pickwise ingest or feature build is running on /);
        expect(isRetryable(refused)).toBe(true);
        const other = await acquireRunLock(b, 'an ingest');
        await other.release();
        await held.release();
        const again = await acquireRunLock(sameAsA, 'a feature build');
        await again.release();
      } finally {
        for (const w of opened) await w.close();
        for (const url of urls) await backend.dropDatabase(url);
      }
    });
  });
});
