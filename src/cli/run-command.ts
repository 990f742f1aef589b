import { type Command, Option } from 'commander';
import { type z } from 'zod';
import type { Runtime } from '../runtime/index.ts';
import { AppError, ErrorCode, toAppError } from '../shared/index.ts';
import { createLogger } from '../shared/io.ts';
import type { CommandIo, CommandSpec } from './command.ts';

/** Process exit codes: stable, documented in the README. */
export const ExitCode = { OK: 0, FAILED: 1, USAGE: 2, UNAVAILABLE: 3, ATTENTION: 4, BUSY: 5, NOT_FOUND: 6 } as const;

export interface GlobalOptions {
  config?: string;
  json?: boolean;
  logLevel?: string;
  logFormat?: string;
  databaseUrl?: string;
  storageUrl?: string;
}

function kebab(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function unwrap(schema: z.ZodType): z.ZodType {
  let s: z.ZodType = schema;
  for (;;) {
    const def = (s as unknown as { def: { type: string; innerType?: z.ZodType } }).def;
    if ((def.type === 'optional' || def.type === 'default' || def.type === 'prefault' || def.type === 'nullable') && def.innerType) s = def.innerType;
    else return s;
  }
}

/** Adds a command's flags (from its zod options) and the wrapper that runs it. */
export function registerCommand(
  parent: Command,
  spec: CommandSpec,
  io: { out: (line: string) => void; err: (line: string) => void; setExitCode: (code: number) => void },
): void {
  const words = spec.name.split(' ');
  let target = parent;
  for (const word of words.slice(0, -1)) {
    target = target.commands.find((c) => c.name() === word) ?? target.command(word).description(`${word} commands`);
  }
  const cmd = target.command(words[words.length - 1]!).description(spec.description);
  const positional = (spec.args ?? []).map((a) => ({ key: a.replace(/\.\.\.$/, ''), rest: a.endsWith('...') }));
  for (const { key, rest } of positional) {
    const field = (spec.options.shape as Record<string, z.ZodType>)[key];
    cmd.argument(`<${kebab(key)}${rest ? '...' : ''}>`, field?.description ?? '');
  }
  // A boolean `noX` is the flag `--no-x`, which commander reports as `x: false` (default true).
  const negated = new Map<string, string>();
  for (const [key, field] of Object.entries(spec.options.shape as Record<string, z.ZodType>)) {
    if (positional.some((p) => p.key === key)) continue;
    const inner = unwrap(field);
    const type = (inner as unknown as { def: { type: string } }).def.type;
    const flag = type === 'boolean' ? `--${kebab(key)}` : `--${kebab(key)} <${type === 'number' ? 'n' : 'value'}>`;
    const option = new Option(flag, field.description ?? '');
    if (option.negate) negated.set(option.attributeName(), key);
    cmd.addOption(option);
  }
  cmd.action(async (...params: unknown[]) => {
    const command = params.at(-1) as Command;
    const raw = { ...(params.at(-2) as Record<string, unknown>) };
    positional.forEach(({ key }, i) => (raw[key] = params[i]));
    for (const [attribute, key] of negated) {
      raw[key] = raw[attribute] === false;
      delete raw[attribute];
    }
    const globals = command.optsWithGlobals() as GlobalOptions;
    io.setExitCode(await runCommand(spec, raw, globals, io));
  });
}

/** The single wrapper around every command: config → runtime → run → print → stop, errors → exit codes. */
export async function runCommand(
  spec: CommandSpec,
  raw: Record<string, unknown>,
  globals: GlobalOptions,
  io: { out: (line: string) => void; err: (line: string) => void },
): Promise<number> {
  let runtime: Runtime | undefined;
  const json = globals.json === true;
  try {
    // Loaded here, not at the top: `pickwise --version` and `--help` need neither the configuration's schemas nor the
    // runtime's warehouse and storage modules (half a second of module loading).
    const [{ loadConfig }, { createRuntime }] = await Promise.all([import('../config/index.ts'), import('../runtime/index.ts')]);
    const config = loadConfig({
      env: process.env,
      ...(globals.config ? { file: globals.config } : {}),
      overrides: { database: { url: globals.databaseUrl }, storage: { url: globals.storageUrl }, log: { level: globals.logLevel, format: globals.logFormat } },
    });
    const parsed = spec.options.safeParse(raw);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `--${kebab(String(i.path[0] ?? ''))}: ${i.message}`).join('; ');
      throw new AppError({ code: ErrorCode.VALIDATION_FAILED, httpStatus: 400, expected: true }, `invalid option(s) for '${spec.name}': ${problems}`);
    }
    // Readable lines for a person at a terminal; JSON lines for machines (piped stderr, or --json).
    const format = config.log.format === 'auto' ? (json ? 'json' : undefined) : config.log.format;
    const logger = createLogger({ level: config.log.level, ...(format !== undefined ? { pretty: format === 'pretty' } : {}) });
    runtime = createRuntime(config, logger);
    const commandIo: CommandIo = { out: io.out, json };
    const result = await spec.run(runtime, parsed.data, commandIo);
    if (json) io.out(JSON.stringify(result, null, 2));
    else spec.print?.(result as never, commandIo);
    return spec.exitCode?.(result as never) ?? ExitCode.OK;
  } catch (error) {
    const e = toAppError(error);
    if (json) io.out(JSON.stringify({ error: { code: e.code, message: e.message } }, null, 2));
    io.err(`pickwise ${spec.name}: ${e.message}`);
    if (!e.expected && e.stack) io.err(e.stack);
    if (e.code === ErrorCode.CONFLICT) return ExitCode.BUSY;
    if (e.code === ErrorCode.NOT_FOUND) return ExitCode.NOT_FOUND;
    return e.code === ErrorCode.BACKEND_UNAVAILABLE
      ? ExitCode.UNAVAILABLE
      : e.code === ErrorCode.VALIDATION_FAILED || e.code === ErrorCode.CONFIG_INVALID || e.code === ErrorCode.UNSUPPORTED_URL
        ? ExitCode.USAGE
        : ExitCode.FAILED;
  } finally {
    await runtime?.stop();
  }
}
