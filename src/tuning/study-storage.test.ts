import { MemoryStudyStorage } from './study-storage.ts';
import { runStudyStorageContract } from './study-storage.contract.ts';

runStudyStorageContract('memory', async () => {
  // One process's memory: the second view is the same object.
  const storage = new MemoryStudyStorage();
  return { storage, second: storage };
});
