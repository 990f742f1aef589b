import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MemoryObjectStore } from '../storage/index.ts';
import { LedgerRepo, migrateToLatest, openWarehouse, type Warehouse } from '../warehouse/index.ts';
import { LandingSensor, warehouseLandingLedger } from './landing-sensor.ts';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('LandingSensor over the warehouse ledger (SQLite)', () => {
  let dir: string;
  let warehouse: Warehouse;
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'pickwise-landing-'));
    warehouse = await openWarehouse({ url: `sqlite:${path.join(dir, 'w.db')}` });
    await migrateToLatest(warehouse);
  });
  afterAll(async () => {
    await warehouse?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('lists files no ingest settled, with their content hash, and skips settled and hidden ones', async () => {
    const store = new MemoryObjectStore();
    await store.put('landing/reservations-1.csv', 'a,b\n1,2\n');
    await store.put('landing/users.csv', 'user_id\nu1\n');
    await store.put('landing/.DS_Store', 'x');
    await store.put('raw/old.csv', 'elsewhere');
    const sensor = new LandingSensor({ store, prefix: 'landing/', ledger: warehouseLandingLedger(warehouse) });
    expect((await sensor.newFiles()).map((f) => [f.key, f.sha256])).toEqual([
      ['landing/reservations-1.csv', sha('a,b\n1,2\n')],
      ['landing/users.csv', sha('user_id\nu1\n')],
    ]);
    const users = await store.stat('landing/users.csv');
    const ledger = new LedgerRepo(warehouse.db);
    const entry = { sizeBytes: users!.size, sourceEtag: users!.etag, kind: 'users', detectedAt: '2026-03-02 10:00:00.000' } as const;
    await ledger.insert({ ...entry, objectKey: 'landing/users.csv', sha256: sha('user_id\nu1\n'), status: 'loaded' });
    await ledger.insert({ ...entry, objectKey: 'landing/reservations-1.csv', sha256: sha('a,b\n1,2\n'), sourceEtag: 'other', status: 'failed' });
    expect((await sensor.newFiles()).map((f) => f.key)).toEqual(['landing/reservations-1.csv']); // a failed ingest settles nothing
    await store.put('landing/users.csv', 'user_id\nu1\nu2\n');
    expect((await sensor.newFiles()).map((f) => [f.key, f.sha256])).toEqual([
      ['landing/reservations-1.csv', sha('a,b\n1,2\n')],
      ['landing/users.csv', sha('user_id\nu1\nu2\n')],
    ]);
    expect(await sensor.newFiles('raw/')).toEqual([expect.objectContaining({ key: 'raw/old.csv', sha256: sha('elsewhere') })]);
  });
});
