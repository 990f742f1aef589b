import { MemoryOrchestrationStore } from './memory-orchestration-store.ts';
import { runOrchestrationStoreContract } from './orchestration-store.contract.ts';

runOrchestrationStoreContract('MemoryOrchestrationStore', async () => {
  const store = new MemoryOrchestrationStore();
  return { store, second: store, cleanup: async () => {} };
});
