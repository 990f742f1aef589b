import { z } from 'zod';
import { buildFeatureTables, type FeatureBuildSummary } from '../../features/index.ts';
import { defineCommand, type CommandIo } from '../command.ts';

/** One line per build, shared with `ingest` (which builds features after loading files). */
export function printFeatureBuild(f: FeatureBuildSummary, io: CommandIo): void {
  io.out(`feature snapshot #${f.snapshotId} as of ${f.asOf ?? '— (no reservations)'}: ${f.users} users, ${f.services} services in ${f.seconds.toFixed(2)} s`);
}

export const featuresBuildCommand = defineCommand({
  name: 'features build',
  description: 'Build a new snapshot of the feature tables (feat_user, feat_service) from the warehouse; keeps the latest 3',
  options: z.object({}),
  async run(runtime): Promise<FeatureBuildSummary> {
    return buildFeatureTables(await runtime.warehouse());
  },
  print: printFeatureBuild,
});
