import { z } from 'zod';
import { buildFeatureTables, type FeatureBuildSummary } from '../../features/index.ts';
import { runIngestJob, type IngestSummary } from '../../pipeline/index.ts';
import { createProgressBar } from '../../shared/progress.ts';
import { defineCommand } from '../command.ts';
import { ExitCode } from '../run-command.ts';
import { printFeatureBuild } from './features-build.ts';

export const ingestCommand = defineCommand({
  name: 'ingest',
  description: 'Load new landing CSV files from the bucket into the warehouse (idempotent: safe to run any time)',
  options: z.object({
    retryQuarantine: z.boolean().optional().describe('re-validate reservations quarantined for an unknown user or service, after loading new files'),
  }),
  async run(runtime, options, io): Promise<IngestSummary & { features?: FeatureBuildSummary }> {
    const [store, warehouse] = [await runtime.store(), await runtime.warehouse()];
    const bar = createProgressBar(process.stderr, !io.json && process.stderr.isTTY === true);
    let summary: IngestSummary;
    try {
      summary = await runIngestJob({
        store,
        warehouse,
        config: runtime.config.ingest,
        logger: runtime.logger.child({ stage: 'ingest' }),
        retryQuarantine: options.retryQuarantine === true,
        onProgress: (p) => bar.update(p.key, p.bytes, p.size),
      });
    } finally {
      bar.finish();
    }
    // New data makes the feature snapshot stale: update it (only the rows the load touched) so feat_* always
    // reflect the latest load.
    const changed = summary.filesLoaded > 0 || (summary.retry?.loaded ?? 0) > 0;
    if (!changed || !runtime.config.features.afterIngest) return summary;
    const features = await buildFeatureTables(warehouse, { incremental: true });
    return { ...summary, features };
  },
  print(summary, io) {
    if (summary.files.length === 0) io.out('No new landing files.');
    for (const f of summary.files) {
      const rows = f.status === 'loaded' ? ` ${f.rowsOk} rows loaded, ${f.rowsRejected} rejected` : '';
      io.out(`${f.status.padEnd(9)} ${f.key}${rows}${f.message ? ` — ${f.message}` : ''}`);
      if (f.quarantineKey) io.out(`          rejects: ${f.quarantineKey}`);
    }
    const codes = Object.entries(summary.rejectsByCode).map(([c, n]) => `${c} ${n}`).join(', ');
    io.out(`${summary.filesLoaded} file(s) loaded: ${summary.rowsLoaded} rows, ${summary.rowsRejected} rejected${codes ? ` (${codes})` : ''} in ${summary.seconds.toFixed(2)} s (${summary.rowsPerSecond} rows/s)`);
    if (summary.retry) {
      const r = summary.retry;
      io.out(`quarantine retry: ${r.loaded} loaded, ${r.superseded} superseded, ${r.stillPending} still waiting for their user or service`);
    }
    if (summary.features) printFeatureBuild(summary.features, io);
  },
  exitCode(summary) {
    return summary.files.some((f) => f.status === 'rejected' || f.status === 'failed') ? ExitCode.ATTENTION : ExitCode.OK;
  },
});
