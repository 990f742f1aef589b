import { stageLogger } from '../shared/io.ts';
import { z } from 'zod';
import { buildFeatureTables } from '../features/index.ts';
import { JobFailedError } from '../shared/index.ts';
import { acquireRunLock } from '../warehouse/index.ts';
import { runIngestJob } from './ingest-job.ts';
import { defineJob } from './job-definition.ts';

/**
 * `pickwise ingest` as a task: new landing files into the warehouse, then the feature snapshot brought up to date
 * (`features.afterIngest`). A file that failed to load fails the task (retryable: the next try loads it again, and
 * files already loaded are not read twice); a file rejected as a whole is counted, not a failure.
 */
export const INGEST = defineJob({
  name: 'INGEST',
  description: 'Load new landing CSV files into the warehouse (idempotent), then update the feature snapshot',
  params: z.strictObject({
    retryQuarantine: z.boolean().default(false),
  }),
  cpuHeavy: true,
  async run(ctx) {
    const { config } = ctx.deps;
    const summary = await runIngestJob({
      store: await ctx.deps.store(),
      warehouse: await ctx.deps.warehouse(),
      config: config.ingest,
      feedback: config.feedback,
      logger: stageLogger(ctx.log, 'ingest'),
      retryQuarantine: ctx.params.retryQuarantine,
      refreshFeatures: config.features.afterIngest,
    });
    const failed = summary.files.filter((f) => f.status === 'failed');
    if (failed.length > 0) {
      throw new JobFailedError(
        `${failed.length} landing file(s) failed to load (${failed.map((f) => `${f.key}: ${f.message ?? 'failed'}`).join('; ')}); ` +
          `${summary.filesLoaded} other(s) loaded`,
      );
    }
    return {
      files: summary.filesLoaded,
      rows: summary.rowsLoaded,
      rowsNew: summary.rowsNew,
      rowsUpdated: summary.rowsUpdated,
      rowsDuplicate: summary.rowsDuplicate,
      rejected: summary.rowsRejected,
      filesRejected: summary.files.filter((f) => f.status === 'rejected').length,
      featureSnapshot: summary.features?.snapshotId ?? null,
    };
  },
});

/** `pickwise features build` as a task: a new feature snapshot, under the warehouse's run lock (not during an ingest). */
export const BUILD_FEATURES = defineJob({
  name: 'BUILD_FEATURES',
  description: 'Build a new snapshot of the feature tables (feat_user, feat_service); incremental: only rows whose sources changed',
  params: z.strictObject({
    incremental: z.boolean().default(true),
  }),
  cpuHeavy: true,
  async run(ctx) {
    const warehouse = await ctx.deps.warehouse();
    const lock = await acquireRunLock(warehouse, 'a feature build');
    try {
      const f = await buildFeatureTables(warehouse, { incremental: ctx.params.incremental });
      ctx.log.info({ snapshotId: f.snapshotId, mode: f.mode, users: f.users, services: f.services, seconds: f.seconds }, 'feature snapshot built');
      return { snapshotId: f.snapshotId, mode: f.mode, users: f.users, services: f.services, asOf: f.asOf ?? null, seconds: f.seconds };
    } finally {
      await lock.release();
    }
  },
});
