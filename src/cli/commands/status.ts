import { z } from 'zod';
import { warehouseStatus } from '../../pipeline/index.ts';
import { defineCommand } from '../command.ts';

export const statusCommand = defineCommand({
  name: 'status',
  description: 'Show what the ingest ledger and the warehouse hold',
  options: z.object({
    recent: z.coerce.number().int().positive().max(1000).default(20).describe('how many recent ledger entries to list'),
  }),
  async run(runtime, options) {
    return warehouseStatus(await runtime.warehouse(), options.recent);
  },
  print(s, io) {
    io.out(`warehouse: ${s.database}`);
    io.out(Object.entries(s.tables).map(([t, n]) => `  ${t.padEnd(20)} ${n}`).join('\n'));
    io.out(`reservations: ${s.reservations.first ?? '—'} … ${s.reservations.last ?? '—'}  ${Object.entries(s.reservations.byStatus).map(([k, n]) => `${k} ${n}`).join(', ')}`);
    io.out(`ledger: ${Object.entries(s.ledger.byStatus).map(([k, n]) => `${k} ${n}`).join(', ') || 'empty'}; ${s.pendingQuarantineRows} quarantined rows waiting for their user/service`);
    for (const e of s.ledger.recent) {
      io.out(`  #${String(e.fileId).padEnd(4)} ${e.status.padEnd(9)} ${e.kind.padEnd(12)} ${e.key}  ok ${e.rowsOk}, rejected ${e.rowsRejected}${e.message ? ` — ${e.message}` : ''}`);
    }
  },
});
