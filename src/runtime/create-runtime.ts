import type { Config } from '../config/index.ts';
import type { Logger } from '../shared/io.ts';
import { openObjectStore, type ObjectStore } from '../storage/index.ts';
import { migrateToLatest, openWarehouse, type Warehouse } from '../warehouse/index.ts';

/**
 * The composition root: config → adapters. Adapters open lazily (a command that needs no database never
 * connects to one) and close in reverse order of opening.
 */
export interface Runtime {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  /** The bucket named by `storage.url`. */
  store(): Promise<ObjectStore>;
  /** The warehouse named by `database.url`, migrated to the latest schema. */
  warehouse(): Promise<Warehouse>;
  stop(): Promise<void>;
}

export function createRuntime(config: Readonly<Config>, logger: Logger): Runtime {
  const closers: (() => Promise<void>)[] = [];
  let store: Promise<ObjectStore> | undefined;
  let warehouse: Promise<Warehouse> | undefined;
  return {
    config,
    logger,
    store() {
      store ??= (async () => {
        const s = await openObjectStore(config.storage.url, config.storage);
        closers.push(() => s.close());
        return s;
      })();
      return store;
    },
    warehouse() {
      warehouse ??= (async () => {
        const w = await openWarehouse(config.database);
        closers.push(() => w.close());
        if (w.prepared.length > 0) logger.warn({ changes: w.prepared }, 'warehouse adjusted to hold every text (utf8mb4)');
        const report = await migrateToLatest(w);
        if (report.applied.length > 0) logger.info({ applied: report.applied }, 'warehouse schema migrated');
        return w;
      })();
      return warehouse;
    },
    async stop() {
      for (const close of closers.reverse()) await close().catch((error: unknown) => logger.warn({ err: error }, 'error while closing'));
      closers.length = 0;
    },
  };
}
