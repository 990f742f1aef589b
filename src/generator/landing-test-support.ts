/**
 * Test support for the generator: an in-memory sink, a CSV reader, and an independent, strict validator of the
 * landing contract. The validator is written from the contract, not from the generator, so the tests check the
 * generator against the contract rather than against itself.
 */
import { parse } from 'csv-parse/sync';
import { generateLanding, type GenerateLandingOptions, type LandingSink, type LandingSummary } from './generate-landing.ts';

/** Everything one generation wrote, plus what the sink observed. */
export interface Generated {
  readonly summary: LandingSummary;
  /** Full text of each file, by name. */
  readonly text: ReadonlyMap<string, string>;
  /** Parsed records of each file, header included, ragged rows allowed. */
  readonly records: ReadonlyMap<string, string[][]>;
  /** Chunks passed to `write`, per file. */
  readonly chunks: ReadonlyMap<string, readonly string[]>;
  readonly closed: readonly string[];
}

/** A sink that keeps files in memory; `asyncWrites` makes every write return a promise, like a real stream. */
export function memorySink(opts: { asyncWrites: boolean }): { sink: LandingSink; chunks: Map<string, string[]>; closed: string[] } {
  const chunks = new Map<string, string[]>();
  const closed: string[] = [];
  const sink: LandingSink = {
    open(name) {
      const parts: string[] = [];
      chunks.set(name, parts);
      return {
        write: (chunk) => {
          parts.push(chunk);
          return opts.asyncWrites ? new Promise<void>((resolve) => setImmediate(resolve)) : undefined;
        },
        close: async () => {
          closed.push(name);
        },
      };
    },
  };
  return { sink, chunks, closed };
}

/** Runs the generator into memory and parses the result. */
export async function generate(opts: GenerateLandingOptions, sinkOpts = { asyncWrites: false }): Promise<Generated> {
  const { sink, chunks, closed } = memorySink(sinkOpts);
  const summary = await generateLanding(opts, sink);
  const text = new Map([...chunks].map(([name, parts]) => [name, parts.join('')]));
  const records = new Map([...text].map(([name, body]) => [name, parse(body, { relax_column_count: true, skip_empty_lines: false }) as string[][]]));
  return { summary, text, records, chunks, closed };
}

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Epoch seconds of a contract timestamp, or undefined when it is not one (including impossible dates). */
export function parseIsoUtc(value: string): number | undefined {
  if (!ISO_UTC.test(value)) return undefined;
  const ms = Date.parse(value);
  // Date.parse rolls 2024-02-30 over to 1 March; a round trip catches that.
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== value.replace('Z', '.000Z')) return undefined;
  return ms / 1000;
}

/** Ids known to be valid, for referential checks of reservations. */
export interface KnownIds {
  readonly users: ReadonlySet<string>;
  readonly services: ReadonlySet<string>;
}

const WIDTH = { users: 5, services: 6, reservations: 6 } as const;
const STATUSES = new Set(['reserved', 'completed', 'canceled']);

/**
 * Why a data row breaks the contract, named like the generator's dirty kinds, or undefined when it is valid.
 * Checks run in a fixed order and the first failure is reported.
 */
export function violation(file: keyof typeof WIDTH, row: readonly string[], known: KnownIds): string | undefined {
  if (row.length < WIDTH[file]) return 'too_few_fields';
  if (row.length > WIDTH[file]) return 'too_many_fields';
  const f = (i: number) => row[i] ?? '';
  if (f(0).trim() === '') return 'empty_id';
  if (file === 'users') {
    if (parseIsoUtc(f(1)) === undefined) return 'bad_timestamp';
    if (!['', 'M', 'F'].includes(f(2))) return 'bad_gender';
    if (f(3) !== '' && !/^\d{4}$/.test(f(3))) return 'bad_birth_year';
    return undefined;
  }
  if (file === 'services') {
    if (f(1) === '' || f(2) === '' || f(3) === '') return 'missing_field';
    if (/^-\d+(\.\d+)?$/.test(f(4))) return 'negative_price';
    if (!/^\d+(\.\d+)?$/.test(f(4))) return 'non_numeric_price';
    if (parseIsoUtc(f(5)) === undefined) return 'bad_timestamp';
    return undefined;
  }
  if (!known.users.has(f(1))) return 'unknown_user';
  if (!known.services.has(f(2))) return 'unknown_service';
  if (!STATUSES.has(f(3))) return 'unknown_status';
  if (parseIsoUtc(f(4)) === undefined) return 'bad_timestamp';
  const rating = f(5);
  if (rating === '') return undefined;
  if (!/^-?\d+$/.test(rating)) return 'rating_not_integer';
  if (Number(rating) < 1 || Number(rating) > 5) return 'rating_out_of_range';
  return f(3) === 'completed' ? undefined : 'rating_without_visit';
}

/** Rows of each file split into valid ones and violation counts (keys `<file>.<kind>`). */
export function audit(generated: Generated): {
  clean: { users: string[][]; services: string[][]; reservations: string[][] };
  violations: Record<string, number>;
} {
  const violations: Record<string, number> = {};
  const clean = { users: [] as string[][], services: [] as string[][], reservations: [] as string[][] };
  const check = (file: keyof typeof WIDTH, known: KnownIds) => {
    for (const row of (generated.records.get(`${file}.csv`) ?? []).slice(1)) {
      const why = violation(file, row, known);
      if (why === undefined) clean[file].push(row);
      else violations[`${file}.${why}`] = (violations[`${file}.${why}`] ?? 0) + 1;
    }
  };
  const none: KnownIds = { users: new Set(), services: new Set() };
  check('users', none);
  check('services', none);
  check('reservations', {
    users: new Set(clean.users.map((r) => r[0] ?? '')),
    services: new Set(clean.services.map((r) => r[0] ?? '')),
  });
  return { clean, violations };
}
