import { silentLogger } from '../shared/io.ts';
import { configSchema } from '../config/index.ts';
import { createLocalExecutor } from './local-executor.ts';
import { taskExecutorContract } from './task-executor.contract.ts';

const deps = {
  config: configSchema.parse({}),
  logger: silentLogger(),
  store: () => Promise.reject(new Error('the test jobs use no bucket')),
  warehouse: () => Promise.reject(new Error('the test jobs use no warehouse')),
};

taskExecutorContract({
  name: 'local',
  async create({ store, catalog, pools, leaseSeconds }) {
    const executor = createLocalExecutor({ store, deps, catalog, pools, leaseSeconds, killGraceMs: 500 });
    return { executor, stop: () => executor.close(0) };
  },
});
