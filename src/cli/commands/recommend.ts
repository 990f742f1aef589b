import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { candidateServices, loadTrainedModel, recommendForUser, resolveModel, writeAllRecommendations } from '../../pipeline/index.ts';
import { ValidationError } from '../../shared/errors.ts';
import { defineCommand } from '../command.ts';

export const recommendCommand = defineCommand({
  name: 'recommend',
  description: "Recommend services with the newest trained model: one user's list, or every user's into a CSV",
  options: z.object({
    user: z.string().min(1).optional().describe('user_id to recommend for'),
    all: z.boolean().optional().describe('every user in the model (with --out)'),
    out: z.string().min(1).optional().describe('CSV file for --all: user_id,item_id,rank,score'),
    k: z.coerce.number().int().positive().max(1000).default(10).describe('services per user'),
    model: z.string().optional().describe('a registered model as NAME@ALIAS (als@champion) or NAME@vN, or a bucket prefix (artifacts/<run>); default: the newest trained'),
    category: z.string().min(1).optional().describe('--user only: recommend only services of this category'),
    region: z.string().min(1).optional().describe('--user only: recommend only services in this region'),
  }),
  async run(runtime, o) {
    if ((o.user === undefined) === (o.all !== true)) throw new ValidationError('give either --user ID or --all --out FILE');
    const store = await runtime.store();
    const location = o.model === undefined ? undefined : await resolveModel(await runtime.warehouse(), o.model);
    const loaded = await loadTrainedModel(store, location?.prefix, location?.digests);
    const model = { kind: loaded.manifest.kind, version: loaded.manifest.version };
    if (o.user !== undefined) {
      const filtered = o.category !== undefined || o.region !== undefined;
      const candidates = filtered ? await candidateServices(await runtime.warehouse(), loaded, { category: o.category, region: o.region }) : undefined;
      return { model, user: o.user, ...recommendForUser(loaded, o.user, o.k, candidates) };
    }
    if (o.out === undefined) throw new ValidationError('--all needs --out FILE');
    const started = performance.now();
    const file = createWriteStream(o.out);
    const rows = await writeAllRecommendations(loaded, o.k, file);
    file.end();
    await finished(file);
    return { model, users: loaded.userIds.length, rows, out: o.out, seconds: (performance.now() - started) / 1000 };
  },
  print(r, io) {
    if ('recommendations' in r) {
      const basis = r.basis === 'popular' ? ' (no reservations in the model’s data yet: most popular services)' : '';
      io.out(`${r.model.kind} ${r.model.version} for ${r.user}${basis}:`);
      for (const x of r.recommendations) io.out(`  ${String(x.rank).padStart(3)}. ${x.serviceId}  ${x.score.toFixed(4)}`);
      if (r.recommendations.length === 0) io.out('  (nothing left to recommend)');
    } else {
      io.out(`wrote ${r.rows} recommendations for ${r.users} users to ${r.out} in ${r.seconds.toFixed(2)} s`);
    }
  },
});
