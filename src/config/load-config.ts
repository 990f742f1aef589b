import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { ConfigError, redactUrl, redactWebhookUrl } from '../shared/index.ts';
import { configSchema, SECRET_PATHS, type Config } from './schema.ts';

/** The file read from the working directory when present. */
export const CONFIG_FILE_NAME = 'pickwise.config.yaml';
const ENV_PREFIX = 'PICKWISE_';

export interface LoadConfigOptions {
  /** Environment variables (normally `process.env`). */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Overrides from command-line flags, as a nested object (`{ database: { url } }`). */
  readonly overrides?: Readonly<Record<string, unknown>>;
  /** Path of the YAML file; default `./pickwise.config.yaml` if it exists. `false` reads no file. */
  readonly file?: string | false;
  /** Working directory used to find the default file. */
  readonly cwd?: string;
}

/**
 * Builds the one configuration object: defaults < YAML file < `PICKWISE_*` env < overrides.
 * Env names derive from key paths: `PICKWISE_DATABASE__URL` → `database.url`,
 * `PICKWISE_INGEST__MAX_RECORD_BYTES` → `ingest.maxRecordBytes`. The result is deep-frozen.
 */
export function loadConfig(options: LoadConfigOptions = {}): Readonly<Config> {
  const layers: Record<string, unknown>[] = [];
  const file = resolveFile(options);
  if (file) layers.push(readYaml(file));
  layers.push(envToObject(options.env ?? {}));
  if (options.overrides) layers.push(stripUndefined(options.overrides));
  const merged = layers.reduce<Record<string, unknown>>((acc, layer) => deepMerge(acc, layer), {});
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `  - ${i.path.join('.') || '(root)'}: ${i.message}`).join('\n');
    const source = file ? ` (file ${file}, PICKWISE_* environment, flags)` : ' (PICKWISE_* environment, flags)';
    throw new ConfigError(`invalid configuration${source}:\n${problems}`);
  }
  return deepFreeze(parsed.data);
}

function resolveFile(options: LoadConfigOptions): string | undefined {
  if (options.file === false) return undefined;
  if (typeof options.file === 'string') {
    if (!existsSync(options.file)) throw new ConfigError(`config file ${options.file} does not exist`);
    return options.file;
  }
  const candidate = path.join(options.cwd ?? process.cwd(), CONFIG_FILE_NAME);
  return existsSync(candidate) ? candidate : undefined;
}

function readYaml(file: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = parseYaml(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`, { cause: error });
  }
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`config file ${file} must hold a mapping of keys`);
  return value as Record<string, unknown>;
}

/** `PICKWISE_A__B_C=v` → `{ a: { bC: 'v' } }`. */
export function envToObject(env: Readonly<Record<string, string | undefined>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith(ENV_PREFIX) || value === undefined || value === '') continue;
    const segments = name.slice(ENV_PREFIX.length).split('__').map(toCamel);
    let node = out;
    segments.forEach((seg, i) => {
      if (i === segments.length - 1) node[seg] = value;
      else node = (node[seg] ??= {}) as Record<string, unknown>;
    });
  }
  return out;
}

function toCamel(segment: string): string {
  return segment.toLowerCase().replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function deepMerge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...a };
  for (const [k, v] of Object.entries(b)) {
    const prev = out[k];
    out[k] = isPlainObject(prev) && isPlainObject(v) ? deepMerge(prev, v) : v;
  }
  return out;
}

function stripUndefined(o: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    if (v === undefined) continue;
    out[k] = isPlainObject(v) ? stripUndefined(v) : v;
  }
  return out;
}

function deepFreeze<T>(value: T): T {
  if (isPlainObject(value)) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** A copy of the config safe to log or print: secrets and URL passwords replaced. */
export function redactConfig(config: Readonly<Config>): Record<string, unknown> {
  const copy = JSON.parse(JSON.stringify(config)) as Record<string, unknown>;
  for (const p of SECRET_PATHS) {
    const keys = p.split('.');
    let node: Record<string, unknown> | undefined = copy;
    for (const k of keys.slice(0, -1)) node = isPlainObject(node?.[k]) ? (node[k] as Record<string, unknown>) : undefined;
    const last = keys[keys.length - 1]!;
    const v = node?.[last];
    if (node && typeof v === 'string')
      node[last] = p.endsWith('webhookUrl') ? redactWebhookUrl(v) : p.endsWith('url') || p.endsWith('Url') ? redactUrl(v) : '***';
    else if (node && Array.isArray(v)) node[last] = v.map(() => '***');
  }
  return copy;
}
