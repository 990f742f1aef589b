import { z } from 'zod';
import { migrateToLatest, openWarehouse } from '../../warehouse/index.ts';
import { defineCommand } from '../command.ts';

export const dbMigrateCommand = defineCommand({
  name: 'db migrate',
  description: 'Bring the warehouse schema to the latest version (other commands do this automatically)',
  options: z.object({}),
  async run(runtime) {
    const warehouse = await openWarehouse(runtime.config.database);
    try {
      return { database: warehouse.displayUrl, ...(await migrateToLatest(warehouse)) };
    } finally {
      await warehouse.close();
    }
  },
  print(r, io) {
    io.out(r.applied.length > 0 ? `applied ${r.applied.join(', ')} to ${r.database}` : `${r.database} is up to date (${r.current.length} migration(s))`);
  },
});
