import type { z } from 'zod';
import type { Runtime } from '../runtime/index.ts';

/** Where a command writes its human-readable result (stdout) — logs go to stderr. */
export interface CommandIo {
  readonly out: (line: string) => void;
  /** True when `--json` was given: the command's return value is printed as JSON instead. */
  readonly json: boolean;
}

/**
 * One CLI command. Its flags are generated from `options` (a zod object: camelCase key → `--kebab-case`,
 * `.describe()` → help text), so they are declared once and validated by the same schema.
 */
export interface CommandSpec<S extends z.ZodObject = z.ZodObject> {
  /** e.g. `ingest`, or `db migrate` for a sub-command. */
  readonly name: string;
  readonly description: string;
  readonly options: S;
  /**
   * Keys of `options` given as positional arguments, in order (`models promote NAME VERSION`); a trailing
   * `...` takes the rest as a list (`runs compare RUN...`).
   */
  readonly args?: readonly string[];
  /** Runs the command; the result is printed with `--json`. */
  run(runtime: Runtime, options: z.output<S>, io: CommandIo): Promise<unknown>;
  /** Prints the result for people (when not `--json`). */
  print?(result: never, io: CommandIo): void;
  /** Exit code for a result that completed but needs attention (e.g. rejected files). */
  exitCode?(result: never): number;
}

export function defineCommand<S extends z.ZodObject, R>(spec: {
  name: string;
  description: string;
  options: S;
  args?: readonly string[];
  run(runtime: Runtime, options: z.output<S>, io: CommandIo): Promise<R>;
  print?(result: R, io: CommandIo): void;
  exitCode?(result: R): number;
}): CommandSpec<S> {
  return spec as unknown as CommandSpec<S>;
}

/** Resolves with the name of the first stop signal (SIGTERM or SIGINT, Ctrl-C) the process receives. */
export function stopSignal(): Promise<'SIGTERM' | 'SIGINT'> {
  return new Promise((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
}
