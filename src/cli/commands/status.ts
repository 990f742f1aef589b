import { z } from 'zod';
import type { FeatureFreshness } from '../../features/index.ts';
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
    io.out(
      Object.entries(s.tables)
        .map(([t, n]) => `  ${t.padEnd(20)} ${n}`)
        .join('\n'),
    );
    io.out(
      `reservations: ${s.reservations.first ?? '—'} … ${s.reservations.last ?? '—'}  ${Object.entries(s.reservations.byStatus)
        .map(([k, n]) => `${k} ${n}`)
        .join(', ')}`,
    );
    io.out(`features: ${describeFeatures(s.features)}`);
    io.out(
      `ledger: ${
        Object.entries(s.ledger.byStatus)
          .map(([k, n]) => `${k} ${n}`)
          .join(', ') || 'empty'
      }; ${s.pendingQuarantineRows} quarantined rows waiting for their user/service`,
    );
    for (const e of s.ledger.recent) {
      io.out(
        `  #${String(e.fileId).padEnd(4)} ${e.status.padEnd(9)} ${e.kind.padEnd(12)} ${e.key}  ok ${e.rowsOk}, ${e.rowsDuplicate > 0 ? `duplicate ${e.rowsDuplicate}, ` : ''}rejected ${e.rowsRejected}${e.message ? ` — ${e.message}` : ''}`,
      );
    }
  },
});

/** One line on the feature snapshot: which one, and whether it is current. */
function describeFeatures(f: FeatureFreshness): string {
  const snapshot = f.snapshot ? `snapshot #${f.snapshot.snapshotId} as of ${f.snapshot.asOf ?? '—'}, built ${f.snapshot.builtAt}` : 'no snapshot';
  switch (f.state) {
    case 'fresh':
      return `${snapshot} — up to date`;
    case 'empty':
      return `${snapshot} — nothing to build yet (the warehouse is empty)`;
    default:
      return `${snapshot} — ${f.state.toUpperCase()}: ${f.reason ?? ''}; the next pickwise ingest rebuilds it (or run pickwise features build)`;
  }
}
