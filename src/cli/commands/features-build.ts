import { z } from 'zod';
import { buildFeatureTables, type FeatureBuildSummary } from '../../features/index.ts';
import { acquireRunLock } from '../../warehouse/index.ts';
import { defineCommand, type CommandIo } from '../command.ts';

/** One line per build, shared with `ingest` (which builds features after loading files). */
export function printFeatureBuild(f: FeatureBuildSummary, io: CommandIo): void {
  const how =
    f.mode === 'incremental'
      ? `incremental: ${f.recomputedUsers} users and ${f.recomputedServices} services recomputed, the rest carried over`
      : `full${f.fullBecause ? ` (${f.fullBecause})` : ''}`;
  io.out(
    `feature snapshot #${f.snapshotId} as of ${f.asOf ?? '— (no reservations)'}: ${f.users} users, ${f.services} services, ${how}, in ${f.seconds.toFixed(2)} s`,
  );
}

export const featuresBuildCommand = defineCommand({
  name: 'features build',
  description: 'Build a new snapshot of the feature tables (feat_user, feat_service) from the warehouse; keeps the latest 3',
  options: z.object({
    incremental: z.boolean().optional().describe('recompute only rows whose sources changed since the latest snapshot (what ingest does)'),
  }),
  async run(runtime, o): Promise<FeatureBuildSummary> {
    const warehouse = await runtime.warehouse();
    // Not while an ingest writes: the build reads the facts before its own transaction.
    const lock = await acquireRunLock(warehouse, 'a feature build');
    try {
      return await buildFeatureTables(warehouse, { incremental: o.incremental === true });
    } finally {
      await lock.release();
    }
  },
  print: printFeatureBuild,
});
