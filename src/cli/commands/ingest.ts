import { z } from 'zod';
import { runIngestJob, type FileOutcome, type IngestSummary } from '../../pipeline/index.ts';
import { createProgressBar, stageLogger } from '../../shared/io.ts';
import { defineCommand, type CommandIo } from '../command.ts';
import { ExitCode } from '../run-command.ts';
import { printFeatureBuild } from './features-build.ts';

export const ingestCommand = defineCommand({
  name: 'ingest',
  description: 'Load new landing CSV files from the bucket into the warehouse (idempotent: safe to run any time)',
  options: z.object({
    retryQuarantine: z.boolean().optional().describe('re-validate reservations quarantined for an unknown user or service, after loading new files'),
  }),
  async run(runtime, options, io): Promise<IngestSummary> {
    const [store, warehouse] = [await runtime.store(), await runtime.warehouse()];
    const bar = createProgressBar(process.stderr, !io.json && process.stderr.isTTY === true);
    try {
      return await runIngestJob({
        store,
        warehouse,
        config: runtime.config.ingest,
        feedback: runtime.config.feedback,
        logger: stageLogger(runtime.logger, 'ingest'),
        retryQuarantine: options.retryQuarantine === true,
        // New data makes the feature snapshot stale, and a run killed while updating it leaves it so: both are
        // put right here, so feat_* always reflect the latest load.
        refreshFeatures: runtime.config.features.afterIngest,
        onProgress: (p) => bar.update(p.key, p.bytes, p.size),
      });
    } finally {
      bar.finish();
    }
  },
  print(summary, io) {
    if (summary.files.length === 0) io.out('No new landing files.');
    for (const f of summary.files) printFile(f, io);
    const codes = Object.entries(summary.rejectsByCode)
      .map(([c, n]) => `${c} ${n}`)
      .join(', ');
    const duplicates = summary.rowsDuplicate > 0 ? `${summary.rowsDuplicate} duplicates of stored feedback events, ` : '';
    io.out(
      `${summary.filesLoaded} file(s) loaded: ${summary.rowsIn} rows read, ${summary.rowsLoaded} loaded (${summary.rowsNew} new, ${summary.rowsUpdated} updates of existing rows), ` +
        `${duplicates}${summary.rowsRejected} quarantined${codes ? ` (${codes})` : ''} in ${summary.seconds.toFixed(2)} s (${summary.rowsPerSecond} rows/s)`,
    );
    if (summary.filesFailed > 0)
      io.out(`${summary.filesFailed} file(s) FAILED and were not loaded (see above); the others were, and the next run retries the failed ones`);
    if (summary.retry) {
      const r = summary.retry;
      io.out(`quarantine retry: ${r.loaded} loaded, ${r.superseded} superseded, ${r.stillPending} still waiting for their user or service`);
    }
    if (summary.features) {
      printFeatureBuild(summary.features, io);
      if (summary.features.because.startsWith('repaired')) io.out(`  (${summary.features.because})`);
    }
  },
  exitCode(summary) {
    if (summary.filesFailed > 0) return ExitCode.FAILED;
    return summary.files.some((f) => f.status === 'rejected') ? ExitCode.ATTENTION : ExitCode.OK;
  },
});

/**
 * One line per file; a loaded file's rows split into new rows, updates of existing ones, duplicates (feedback
 * events stored before) and quarantined rows.
 */
function printFile(f: FileOutcome, io: CommandIo): void {
  const duplicates = f.rowsDuplicate > 0 ? `${f.rowsDuplicate} duplicates, ` : '';
  const rows =
    f.status === 'loaded'
      ? ` ${f.rowsTotal} rows: ${f.rowsOk} loaded (${f.rowsNew} new, ${f.rowsUpdated} updates), ${duplicates}${f.rowsRejected} quarantined` +
        `${f.lines && f.lines.blank > 0 ? `; ${f.lines.blank} blank line(s) skipped` : ''}`
      : '';
  io.out(`${f.status.padEnd(9)} ${f.key}${rows}${f.message ? ` — ${f.message}` : ''}`);
  if (f.quarantineKey) io.out(`          rejects: ${f.quarantineKey}`);
}
