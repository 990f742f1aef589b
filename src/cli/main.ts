import { Command } from 'commander';
import { dbMigrateCommand } from './commands/db-migrate.ts';
import { featuresBuildCommand } from './commands/features-build.ts';
import { generateCommand } from './commands/generate.ts';
import { ingestCommand } from './commands/ingest.ts';
import { recommendCommand } from './commands/recommend.ts';
import { statusCommand } from './commands/status.ts';
import { evaluateCommand, trainCommand } from './commands/train.ts';
import { tuneCommand } from './commands/tune.ts';
import { serveCommand } from './commands/serve.ts';
import { modelsArchiveCommand, modelsListCommand, modelsPromoteCommand, modelsRollbackCommand, modelsShowCommand } from './commands/models.ts';
import { runsCompareCommand, runsListCommand, runsShowCommand } from './commands/runs.ts';
import type { CommandSpec } from './command.ts';
import { registerCommand } from './run-command.ts';

const COMMANDS: readonly CommandSpec[] = [generateCommand, ingestCommand, statusCommand, dbMigrateCommand, featuresBuildCommand, trainCommand, evaluateCommand, tuneCommand, recommendCommand, serveCommand,
  runsListCommand, runsShowCommand, runsCompareCommand,
  modelsListCommand, modelsShowCommand, modelsPromoteCommand, modelsRollbackCommand, modelsArchiveCommand];

/** Parses argv, runs one command and resolves to the process exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  let exitCode = 0;
  const program = new Command('pickwise')
    .description('Recommendations for services businesses: landing CSVs → warehouse → models → real-time API')
    .option('-c, --config <file>', 'config file (default ./pickwise.config.yaml when present)')
    .option('--json', 'print a machine-readable JSON result on stdout')
    .option('--log-level <level>', 'trace, debug, info, warn, error or silent')
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
  for (const spec of COMMANDS) registerCommand(program, spec, io);
  try {
    await program.parseAsync([...argv], { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return typeof code === 'number' ? (code === 0 ? 0 : 2) : 1;
  }
  return exitCode;
}
