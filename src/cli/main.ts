import { Command } from 'commander';
import type { CommandSpec } from './command.ts';
import { registerCommand } from './run-command.ts';

/**
 * Every command, by its first word, with the module that defines it. Modules load on demand: a run imports only
 * its own command (and what that needs), so `pickwise ingest` never loads the HTTP server or the models.
 */
const COMMAND_MODULES: Readonly<Record<string, () => Promise<readonly CommandSpec[]>>> = {
  demo: async () => [(await import('./commands/demo.ts')).demoCommand],
  generate: async () => [(await import('./commands/generate.ts')).generateCommand],
  ingest: async () => [(await import('./commands/ingest.ts')).ingestCommand],
  status: async () => [(await import('./commands/status.ts')).statusCommand],
  db: async () => [(await import('./commands/db-migrate.ts')).dbMigrateCommand],
  features: async () => [(await import('./commands/features-build.ts')).featuresBuildCommand],
  train: async () => [(await import('./commands/train.ts')).trainCommand],
  evaluate: async () => [(await import('./commands/train.ts')).evaluateCommand],
  tune: async () => [(await import('./commands/tune.ts')).tuneCommand],
  recommend: async () => [(await import('./commands/recommend.ts')).recommendCommand],
  serve: async () => [(await import('./commands/serve.ts')).serveCommand],
  dashboard: async () => [(await import('./commands/dashboard.ts')).dashboardCommand],
  feedback: async () => [(await import('./commands/feedback.ts')).feedbackStatsCommand, (await import('./commands/feedback-ship.ts')).feedbackShipCommand],
  alerts: async () => {
    const m = await import('./commands/alerts.ts');
    return [m.alertsListCommand, m.alertsTestCommand];
  },
  runs: async () => {
    const m = await import('./commands/runs.ts');
    return [m.runsListCommand, m.runsShowCommand, m.runsCompareCommand];
  },
  dags: async () => {
    const m = await import('./commands/dags.ts');
    return [m.dagsListCommand, m.dagsShowCommand, m.dagsPauseCommand, m.dagsUnpauseCommand];
  },
  run: async () => [(await import('./commands/dag-run.ts')).runDagCommand],
  backfill: async () => [(await import('./commands/dag-run.ts')).backfillCommand],
  'dag-runs': async () => {
    const m = await import('./commands/dag-runs.ts');
    return [m.dagRunsListCommand, m.dagRunsShowCommand, m.dagRunsLogsCommand, m.dagRunsRetryCommand, m.dagRunsCancelCommand];
  },
  scheduler: async () => [(await import('./commands/scheduler.ts')).schedulerCommand],
  worker: async () => [(await import('./commands/scheduler.ts')).workerCommand],
  up: async () => [(await import('./commands/up.ts')).upCommand],
  models: async () => {
    const m = await import('./commands/models.ts');
    return [m.modelsListCommand, m.modelsShowCommand, m.modelsPromoteCommand, m.modelsRollbackCommand, m.modelsArchiveCommand];
  },
};

/** Global options that take a value (the word after them is not the command). */
const GLOBAL_VALUE_OPTIONS = new Set(['-c', '--config', '--log-level', '--log-format', '--database-url', '--storage-url']);

/** The command's first word in argv, skipping global options and their values; undefined when there is none. */
export function commandWord(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-')) return arg;
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
  }
  return undefined;
}

/** Parses argv, runs one command and resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('pickwise')
    .description('Recommendations for services businesses: landing CSVs → warehouse → models → real-time API')
    .option('-V, --version', 'print the version (package version + git commit) and exit')
    .option('-c, --config <file>', 'config file (default ./pickwise.config.yaml when present)')
    .option('--json', 'print a machine-readable JSON result on stdout (and log JSON lines on stderr)')
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent')
    .option('--log-format <format>', 'auto (readable on a terminal, JSON lines otherwise), pretty or json')
    .option('--database-url <url>', 'warehouse: sqlite:PATH or mysql://user:pass@host:port/db')
    .option('--storage-url <url>', 'bucket: file:PATH, s3://bucket/prefix or gs://bucket/prefix')
    .showHelpAfterError()
    .exitOverride();
  const io = {
    out: (line: string) => process.stdout.write(`${line}\n`),
    err: (line: string) => process.stderr.write(`${line}\n`),
    setExitCode: (code: number) => {
      exitCode = code;
    },
  };
  const word = commandWord(argv);
  // Answered before commander: the version asks git for the commit, which no other run needs to pay for.
  if (word === undefined && argv.some((a) => a === '-V' || a === '--version')) {
    io.out((await import('../shared/io.ts')).codeVersion());
    return 0;
  }
  const load = word === undefined ? undefined : COMMAND_MODULES[word];
  const modules = load ? [load] : Object.values(COMMAND_MODULES);
  const specs = (await Promise.all(modules.map((m) => m()))).flat();
  for (const spec of specs) registerCommand(program, spec, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return typeof code === 'number' ? (code === 0 ? 0 : 2) : 1;
  }
  return exitCode;
}
