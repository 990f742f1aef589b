import { z } from 'zod';
import { generateLanding, StoreSink } from '../../generator/index.ts';
import { LocalObjectStore } from '../../storage/index.ts';
import { defineCommand } from '../command.ts';

export const generateCommand = defineCommand({
  name: 'generate',
  description: 'Write realistic sample landing files (users, services, reservations) for demos, tests and benchmarks',
  options: z.object({
    out: z.string().min(1).optional().describe("directory to write into (default: the bucket's landing/ prefix)"),
    users: z.coerce.number().int().nonnegative().default(2000).describe('number of users'),
    services: z.coerce.number().int().nonnegative().default(300).describe('number of services'),
    reservations: z.coerce.number().int().nonnegative().default(40000).describe('number of reservations'),
    seed: z.coerce.number().int().default(42).describe('random seed: same seed, same files'),
    dirty: z.coerce.number().min(0).max(0.99).default(0).describe('fraction of invalid rows mixed into each file (e.g. 0.01)'),
  }),
  async run(runtime, o) {
    const started = performance.now();
    const store = o.out ? new LocalObjectStore(o.out) : await runtime.store();
    const sink = new StoreSink(store, o.out ? '' : runtime.config.ingest.landingPrefix);
    const summary = await generateLanding({ users: o.users, services: o.services, reservations: o.reservations, seed: o.seed, dirty: o.dirty }, sink);
    return { location: store.url, keys: sink.written, ...summary, seconds: (performance.now() - started) / 1000 };
  },
  print(r, io) {
    for (const f of r.files) io.out(`wrote ${f.name}: ${f.rows} rows${f.dirtyRows > 0 ? ` (${f.dirtyRows} deliberately invalid)` : ''}`);
    io.out(`into ${r.location} in ${r.seconds.toFixed(2)} s`);
  },
});
