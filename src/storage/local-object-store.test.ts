import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { LocalObjectStore } from './local-object-store.ts';
import { runObjectStoreContract } from './object-store.contract.ts';

runObjectStoreContract('LocalObjectStore', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-local-store-'));
  return {
    store: new LocalObjectStore(dir),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});
