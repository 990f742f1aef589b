import { ValidationError, Rng } from '../shared/index.ts';
import { DIRTY_KINDS, DirtySchedule, type DirtyKindOf, type LandingFileKind, type UnknownIds } from './dirty-rows.ts';
import { LANDING_FILES, LANDING_HEADERS, reservationLines, serviceLines, userLines } from './landing-rows.ts';
import { planReservations } from './reservations.ts';
import { buildWorld, serviceId, userId } from './world.ts';

/**
 * One landing file being written. `write` receives a chunk of one or more complete lines, each ending in "\n"
 * (the generator batches lines, because one call per line dominates the cost at a million rows). A returned
 * promise is awaited before the next chunk, which is how a file or network sink applies backpressure.
 */
export interface LandingFileWriter {
  write(chunk: string): void | Promise<void>;
  /** Flushes and releases the file; rejects when anything written was lost. */
  close(): Promise<void>;
}

/** Where generated landing files go (a directory, a bucket, memory). Keeps the generator free of I/O. */
export interface LandingSink {
  open(fileName: string): LandingFileWriter;
}

/** Options of {@link generateLanding}. Counts are of clean entities; dirty rows come on top. */
export interface GenerateLandingOptions {
  readonly users: number;
  readonly services: number;
  /** Distinct reservations; ~1 % more rows are status updates of earlier ones. */
  readonly reservations: number;
  /** Same seed and options → byte-identical files. */
  readonly seed: number;
  /** Share of rows in EACH file that are invalid, in [0, 1). 0 writes only clean rows. */
  readonly dirty: number;
  /** Start of the reservation period (inclusive). Defaults to {@link DEFAULT_PERIOD}. */
  readonly start?: Date;
  /** End of the reservation period (exclusive). Signups and service creation may precede `start`, never `end`. */
  readonly end?: Date;
}

/** Row counts of one written file, header excluded. */
export interface LandingFileSummary {
  readonly name: string;
  readonly rows: number;
  readonly dirtyRows: number;
}

/** What {@link generateLanding} wrote. */
export interface LandingSummary {
  readonly files: LandingFileSummary[];
  /** Dirty rows per `<file stem>.<kind>`, e.g. `reservations.unknown_status`; every kind is listed, zeros included. */
  readonly dirtyByKind: Record<string, number>;
}

/** A fixed default period, so that output never depends on the wall clock. */
export const DEFAULT_PERIOD = { start: new Date('2024-01-01T00:00:00Z'), end: new Date('2025-01-01T00:00:00Z') } as const;

const CHUNK_LINES = 4096;

function validate(opts: GenerateLandingOptions): { startSec: number; endSec: number } {
  for (const key of ['users', 'services', 'reservations'] as const) {
    const n = opts[key];
    if (!Number.isSafeInteger(n) || n < 0) throw new ValidationError(`${key} must be a non-negative integer, got ${n}`);
  }
  if (!Number.isSafeInteger(opts.seed)) throw new ValidationError(`seed must be a safe integer, got ${opts.seed}`);
  if (!(opts.dirty >= 0 && opts.dirty < 1)) throw new ValidationError(`dirty must be in [0, 1), got ${opts.dirty}`);
  if (opts.reservations > 0 && (opts.users === 0 || opts.services === 0)) {
    throw new ValidationError('reservations need at least one user and one service');
  }
  const startSec = Math.floor((opts.start ?? DEFAULT_PERIOD.start).getTime() / 1000);
  const endSec = Math.floor((opts.end ?? DEFAULT_PERIOD.end).getTime() / 1000);
  if (!Number.isFinite(startSec) || !Number.isFinite(endSec) || endSec <= startSec) {
    throw new ValidationError('start and end must be valid dates with start < end');
  }
  return { startSec, endSec };
}

async function writeFile(sink: LandingSink, name: string, header: readonly string[], lines: Iterable<string>): Promise<void> {
  const writer = sink.open(name);
  try {
    let batch: string[] = [header.join(',')];
    for (const line of lines) {
      batch.push(line);
      if (batch.length === CHUNK_LINES) {
        await writer.write(`${batch.join('\n')}\n`);
        batch = [];
      }
    }
    if (batch.length > 0) await writer.write(`${batch.join('\n')}\n`);
  } catch (error) {
    // Release the file, but report the failure that caused it rather than a follow-up close error.
    await writer.close().catch(() => undefined);
    throw error;
  }
  await writer.close();
}

/**
 * Writes users.csv, services.csv and reservations.csv of the landing contract into `sink`: a realistic,
 * seeded simulation of a Korean services marketplace (regions, categories, KRW prices, latent tastes,
 * popularity, region affinity; see reservations.ts for the model), with a chosen share of invalid rows of many
 * kinds mixed in to exercise ingestion. Pure apart from the sink.
 */
export async function generateLanding(opts: GenerateLandingOptions, sink: LandingSink): Promise<LandingSummary> {
  const { startSec, endSec } = validate(opts);
  // Separate streams: the world, the reservations and the dirty rows never shift each other's random numbers.
  const root = new Rng(opts.seed);
  const world = buildWorld({ users: opts.users, services: opts.services, startSec, endSec, rng: root.fork() });
  const plan = planReservations(world, { count: opts.reservations, rng: root.fork() });
  const dirtyRng = root.fork();

  const schedule = <F extends LandingFileKind>(file: F, cleanRows: number) =>
    new DirtySchedule<DirtyKindOf<F>>({ cleanRows, fraction: opts.dirty, kinds: DIRTY_KINDS[file], rng: dirtyRng.fork() });
  const schedules = {
    users: schedule('users', world.users.count),
    services: schedule('services', world.services.count),
    reservations: schedule('reservations', plan.count + plan.updates.count),
  };
  // Beyond every clean and dirty id, so a dangling reference never resolves, however lenient the reader.
  const unknownRng = dirtyRng.fork();
  const unknown: UnknownIds = {
    userId: () => userId(world.users.count + schedules.users.count + unknownRng.int(0, 1_000_000)),
    serviceId: () => serviceId(world.services.count + schedules.services.count + unknownRng.int(0, 1_000_000)),
  };

  const rowsRng = dirtyRng.fork();
  await writeFile(sink, LANDING_FILES.users, LANDING_HEADERS.users, userLines({ world, schedule: schedules.users, rng: rowsRng.fork(), unknown }));
  await writeFile(sink, LANDING_FILES.services, LANDING_HEADERS.services, serviceLines({ world, schedule: schedules.services, rng: rowsRng.fork(), unknown }));
  await writeFile(
    sink,
    LANDING_FILES.reservations,
    LANDING_HEADERS.reservations,
    reservationLines({ world, schedule: schedules.reservations, rng: rowsRng.fork(), unknown }, plan),
  );

  const files: LandingFileSummary[] = [];
  const dirtyByKind: Record<string, number> = {};
  for (const file of ['users', 'services', 'reservations'] as const) {
    const s = schedules[file];
    const clean = file === 'users' ? world.users.count : file === 'services' ? world.services.count : plan.count + plan.updates.count;
    files.push({ name: LANDING_FILES[file], rows: clean + s.count, dirtyRows: s.count });
    for (const [kind, n] of Object.entries<number>(s.counts)) dirtyByKind[`${file}.${kind}`] = n;
  }
  return { files, dirtyByKind };
}
