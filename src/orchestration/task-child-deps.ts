import type { Config } from '../config/index.ts';
import type { JobDeps } from '../pipeline/index.ts';
import type { Logger } from '../shared/io.ts';
import { openObjectStore, type ObjectStore } from '../storage/index.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../warehouse/index.ts';

/**
 * The job dependencies of a process that runs one try (a child of the local executor): the bucket and the
 * warehouse the configuration names, opened on first use and closed by `close`, as the runtime does for a command.
 */
export function openJobDeps(config: Readonly<Config>, logger: Logger): JobDeps & { close(): Promise<void> } {
  let store: Promise<ObjectStore> | undefined;
  let warehouse: Promise<Warehouse> | undefined;
  return {
    config,
    logger,
    store() {
      store ??= openObjectStore(config.storage.url, config.storage);
      return store;
    },
    warehouse() {
      warehouse ??= (async () => {
        const w = await openWarehouse(config.database);
        await migrateToLatest(w);
        return w;
      })();
      return warehouse;
    },
    async close() {
      const closing = [warehouse?.then((w) => w.close()), store?.then((s) => s.close())];
      await Promise.allSettled(closing);
    },
  };
}
