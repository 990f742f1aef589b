import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { loadTrainedModel, resolveModel } from '../registry/index.ts';
import { toUtcText, uuidV7 } from '../shared/index.ts';
import { FeedbackRepo } from '../warehouse/index.ts';
import { defineJob, type JobResult } from './job-definition.ts';
import { writeAllRecommendations, type BatchRecording } from './recommend-job.ts';

/** The bucket key a run's export goes to by default: one per run and task, so a retried try overwrites its own file. */
export function recommendationsKey(runKey: string, taskId: string): string {
  return `exports/recommendations/${runKey.replace(/[^A-Za-z0-9._-]+/g, '_')}-${taskId}.csv`;
}

/**
 * `pickwise recommend --all` as a task: every user's list from the served model into a CSV in the bucket
 * (`user_id,item_id,rank,score`, plus `recommendation_id` when the lists are recorded as served).
 */
export const RECOMMEND_ALL = defineJob({
  name: 'RECOMMEND_ALL',
  description: "Write every user's recommendations from the served model (or the one named) to a CSV in the bucket",
  params: z.strictObject({
    /** NAME@ALIAS, NAME@vN or a bucket prefix; default: what serving uses (serve.modelName@serve.alias, else the newest trained). */
    model: z.string().min(1).optional(),
    k: z.number().int().positive().max(1000).default(10),
    /** Record every list as served under one batch id, for feedback on a campaign built on the file. */
    record: z.boolean().default(false),
    /** Bucket key of the CSV; default `exports/recommendations/<run key>-<task id>.csv`. */
    key: z.string().min(1).max(1000).optional(),
  }),
  cpuHeavy: true,
  async run(ctx): Promise<JobResult> {
    const { config } = ctx.deps;
    const spec = ctx.params.model ?? (config.serve.modelName !== undefined ? `${config.serve.modelName}@${config.serve.alias}` : undefined);
    const store = await ctx.deps.store();
    const location = spec === undefined ? undefined : await resolveModel(await ctx.deps.warehouse(), spec);
    const loaded = await loadTrainedModel(store, location?.prefix, location?.digests);
    let record: BatchRecording | undefined;
    if (ctx.params.record) {
      const repo = new FeedbackRepo(await ctx.deps.warehouse());
      record = {
        batchId: uuidV7(),
        createdAt: toUtcText(new Date()),
        ...(location?.registered ? { registered: location.registered } : {}),
        write: (rows) => repo.insertServedLists(rows),
      };
    }
    const key = ctx.params.key ?? recommendationsKey(ctx.runKey, ctx.taskId);
    const body = new PassThrough();
    const upload = store.put(key, body);
    upload.catch(() => body.destroy());
    let rows: number;
    try {
      rows = await writeAllRecommendations(loaded, ctx.params.k, body, record ? { record } : {});
    } finally {
      body.end();
    }
    await upload;
    ctx.log.info({ key, rows, users: loaded.userIds.length }, 'recommendations written');
    return {
      key,
      users: loaded.userIds.length,
      rows,
      model: { kind: loaded.manifest.kind, version: loaded.manifest.version, ...(location?.registered ? { ...location.registered } : {}) },
      batchId: record?.batchId ?? null,
    };
  },
});
