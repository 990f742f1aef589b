import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';
import { z } from 'zod';
import { writeAllRecommendations, type BatchRecording } from '../../pipeline/index.ts';
import {
  FreshHistoryReader,
  isFilter,
  labelledListForUser,
  loadTrainedModel,
  resolveModel,
  ServiceCatalog,
  WarningCode,
  type LoadedModel,
  type RecentHistory,
  type RecommendationWarning,
} from '../../registry/index.ts';
import { toUtcText, uuidV7, ValidationError } from '../../shared/index.ts';
import { FeedbackRepo, ServiceRepo } from '../../warehouse/index.ts';
import type { Runtime } from '../../runtime/index.ts';
import { defineCommand } from '../command.ts';
import { ExitCode } from '../run-command.ts';

/** Warnings that mean the list is not what was asked for (exit code 4). */
const ATTENTION: ReadonlySet<string> = new Set([WarningCode.UNKNOWN_CATEGORY, WarningCode.UNKNOWN_REGION, WarningCode.NO_MATCHING_SERVICE]);

export const recommendCommand = defineCommand({
  name: 'recommend',
  description: "Recommend services with the newest trained model: one user's list, or every user's into a CSV",
  options: z.object({
    user: z.string().min(1).optional().describe('user_id to recommend for'),
    all: z.boolean().optional().describe('every user in the model (with --out)'),
    out: z.string().min(1).optional().describe('CSV file for --all: user_id,item_id,rank,score'),
    record: z
      .boolean()
      .optional()
      .describe('--all only: record every list as served (one batch id), and add a recommendation_id column for feedback on a campaign'),
    k: z.coerce.number().int().positive().max(1000).default(10).describe('services per user'),
    model: z
      .string()
      .optional()
      .describe('a registered model as NAME@ALIAS (als@champion) or NAME@vN, or a bucket prefix (artifacts/<run>); default: the newest trained'),
    category: z.string().min(1).optional().describe('--user only: recommend only services of this category'),
    region: z.string().min(1).optional().describe('--user only: recommend only services in this region'),
  }),
  async run(runtime, o) {
    if ((o.user === undefined) === (o.all !== true)) throw new ValidationError('give either --user ID or --all --out FILE');
    if (o.record === true && o.all !== true) throw new ValidationError('--record goes with --all (a list served through the API is recorded by the API)');
    if (o.all === true && (o.category !== undefined || o.region !== undefined))
      throw new ValidationError("--category and --region filter one user's list (--user); --all writes every user's unfiltered list");
    const store = await runtime.store();
    const location = o.model === undefined ? undefined : await resolveModel(await runtime.warehouse(), o.model);
    const loaded = await loadTrainedModel(store, location?.prefix, location?.digests);
    const model = { kind: loaded.manifest.kind, version: loaded.manifest.version };
    if (o.user !== undefined) {
      const filter = { category: o.category, region: o.region };
      const { catalog, warnings } = await readCatalog(runtime, loaded, isFilter(filter));
      const fresh = await readRecent(runtime, loaded, o.user);
      const list = labelledListForUser(loaded, catalog, { userId: o.user, k: o.k, filter, recent: fresh.history?.forUser(o.user) });
      return {
        model,
        user: o.user,
        ...(isFilter(filter) ? { filter } : {}),
        basis: list.basis,
        recommendations: list.recommendations,
        warnings: [...warnings, ...fresh.warnings, ...list.warnings],
      };
    }
    if (o.out === undefined) throw new ValidationError('--all needs --out FILE');
    const started = performance.now();
    let record: BatchRecording | undefined;
    if (o.record === true) {
      const repo = new FeedbackRepo(await runtime.warehouse());
      record = {
        batchId: uuidV7(),
        createdAt: toUtcText(new Date()),
        ...(location?.registered ? { registered: location.registered } : {}),
        write: (rows) => repo.insertServedLists(rows),
      };
    }
    const { history } = await readRecent(runtime, loaded);
    const file = createWriteStream(o.out);
    const rows = await writeAllRecommendations(loaded, o.k, file, { ...(record ? { record } : {}), ...(history ? { recent: history } : {}) });
    file.end();
    await finished(file);
    const newUsers = history ? [...history.userIds()].filter((u) => !loaded.userIndex.has(u)).length : 0;
    return {
      model,
      users: loaded.userIds.length + newUsers,
      rows,
      out: o.out,
      ...(record ? { batchId: record.batchId } : {}),
      seconds: (performance.now() - started) / 1000,
    };
  },
  print(r, io) {
    if ('recommendations' in r) {
      const basis = r.basis === 'popular' ? ' (no reservations in the model’s data yet: most popular services)' : '';
      const only = r.filter
        ? ` among ${[r.filter.category && `category ${r.filter.category}`, r.filter.region && `region ${r.filter.region}`].filter(Boolean).join(', ')}`
        : '';
      io.out(`${r.model.kind} ${r.model.version} for ${r.user}${only}${basis}:`);
      for (const x of r.recommendations) {
        const label = x.name === null ? '' : `  ${x.name} (${x.category})`;
        io.out(`  ${String(x.rank).padStart(3)}. ${x.serviceId}${label}  ${x.score.toFixed(4)}`);
      }
      if (r.recommendations.length === 0) io.out('  (nothing to recommend)');
      for (const w of r.warnings) io.out(`warning: ${w.message} [${w.code}]`);
    } else {
      io.out(`wrote ${r.rows} recommendations for ${r.users} users to ${r.out} in ${r.seconds.toFixed(2)} s`);
      if (r.batchId !== undefined) io.out(`recorded as served: batch ${r.batchId} (the recommendation_id column goes with each user's feedback)`);
    }
  },
  exitCode(r) {
    return 'warnings' in r && r.warnings.some((w) => ATTENTION.has(w.code)) ? ExitCode.ATTENTION : ExitCode.OK;
  },
});

/**
 * The service catalog for names beside ids and the filters. Without a filter the list does not need the
 * warehouse, so an unreachable one only costs the names (said in a warning); with a filter it is an error.
 */
async function readCatalog(runtime: Runtime, loaded: LoadedModel, needed: boolean): Promise<{ catalog: ServiceCatalog; warnings: RecommendationWarning[] }> {
  try {
    const rows = await new ServiceRepo((await runtime.warehouse()).db).catalog();
    return { catalog: ServiceCatalog.build(loaded, { rows, readAt: new Date().toISOString() }), warnings: [] };
  } catch (error) {
    if (needed) throw error;
    const message = `service names and categories are missing: the warehouse could not be read (${(error as Error).message})`;
    return { catalog: ServiceCatalog.unread(loaded, error), warnings: [{ code: WarningCode.CATALOG_STALE, message }] };
  }
}

/**
 * The reservations loaded since the model's data (of `userId` only, when given), read once: lists leave them out
 * and follow them as the API's do. None when serve.freshnessSeconds is 0 (lists as trained). A --user list
 * without them says so in a warning; --all, which must not quietly differ from the API, fails instead.
 */
async function readRecent(runtime: Runtime, loaded: LoadedModel, userId?: string): Promise<{ history?: RecentHistory; warnings: RecommendationWarning[] }> {
  const { freshnessSeconds, freshMaxUsers } = runtime.config.serve;
  if (freshnessSeconds === 0) return { warnings: [] };
  try {
    const reader = new FreshHistoryReader({
      warehouse: await runtime.warehouse(),
      loaded,
      maxUsers: freshMaxUsers,
      ...(userId === undefined ? {} : { userId }),
    });
    await reader.refresh();
    return { history: reader.history, warnings: [] };
  } catch (error) {
    if (userId === undefined) throw error;
    const message = `reservations loaded since the model was trained could not be read (${(error as Error).message}): the list is as trained`;
    return { warnings: [{ code: WarningCode.HISTORY_STALE, message }] };
  }
}
