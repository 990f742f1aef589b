import { MemoryObjectStore } from './memory-object-store.ts';
import { runObjectStoreContract } from './object-store.contract.ts';

runObjectStoreContract('MemoryObjectStore', async () => ({
  store: new MemoryObjectStore(),
  cleanup: async () => {},
}));
