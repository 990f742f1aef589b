/**
 * A worker process for the test of what happens to a try's child process when its worker is killed: runs one try
 * of the CPU-bound SPIN job in a child process and writes the process log (JSON lines, with the child's pid) to stdout.
 */
import { configSchema } from '../../src/config/index.ts';
import { MemoryOrchestrationStore, runAttempt } from '../../src/orchestration/index.ts';
import { createLogger } from '../../src/shared/io.ts';
import { TEST_JOBS_REF } from './orchestration-jobs.ts';
import { queuedTries } from './queued-tries.ts';

const store = new MemoryOrchestrationStore();
const [attempt] = await queuedTries(store, [{ taskId: 'spin', job: 'SPIN', timeout: 3600 }]);
const logger = createLogger({ level: 'info', pretty: false, destination: process.stdout });
const deps = {
  config: configSchema.parse({}),
  logger,
  store: () => Promise.reject(new Error('no bucket')),
  warehouse: () => Promise.reject(new Error('no warehouse')),
};
await runAttempt({ attempt: attempt!, store, deps, catalog: TEST_JOBS_REF, worker: 'orphan-test', leaseSeconds: 3600 });
