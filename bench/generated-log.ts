import path from 'node:path';
import { configSchema } from '../src/config/index.ts';
import { loadInteractionLog, type InteractionLog } from '../src/features/index.ts';
import { generateLanding, StoreSink } from '../src/generator/index.ts';
import { runIngestJob } from '../src/pipeline/index.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { LocalObjectStore } from '../src/storage/index.ts';
import { migrateToLatest, openWarehouse } from '../src/warehouse/index.ts';

/** Generated landing files (seed 42, clean) ingested into a SQLite warehouse in `dir`, read back as an interaction log. */
export async function generatedInteractionLog(dir: string, shape: { users: number; services: number; reservations: number }): Promise<InteractionLog> {
  const store = new LocalObjectStore(path.join(dir, 'bucket'));
  await generateLanding({ ...shape, seed: 42, dirty: 0 }, new StoreSink(store, 'landing/'));
  const warehouse = await openWarehouse({ url: `sqlite:${path.join(dir, 'w.db')}` });
  try {
    await migrateToLatest(warehouse);
    await runIngestJob({ store, warehouse, config: configSchema.parse({}).ingest, feedback: configSchema.parse({}).feedback, logger: silentLogger() });
    return await loadInteractionLog(warehouse);
  } finally {
    await warehouse.close();
  }
}
