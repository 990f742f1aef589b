import type { Rng } from '../shared/index.ts';

/**
 * Every kind of invalid row the generator can emit, per landing file. Each dirty row is an otherwise valid row
 * with exactly one defect, so a validator that reports the first failed rule names the kind.
 */
export const DIRTY_KINDS = {
  users: ['empty_id', 'bad_timestamp', 'bad_birth_year', 'too_few_fields', 'too_many_fields'],
  services: ['empty_id', 'bad_timestamp', 'negative_price', 'non_numeric_price', 'too_few_fields', 'too_many_fields'],
  reservations: [
    'empty_id',
    'bad_timestamp',
    'unknown_status',
    'rating_out_of_range',
    'rating_not_integer',
    'unknown_user',
    'unknown_service',
    'too_few_fields',
    'too_many_fields',
  ],
} as const;

/** The three landing files, by their stem. */
export type LandingFileKind = keyof typeof DIRTY_KINDS;
/** A dirty-row kind of one landing file. */
export type DirtyKindOf<F extends LandingFileKind> = (typeof DIRTY_KINDS)[F][number];
/** Any dirty-row kind. */
export type DirtyKind = DirtyKindOf<LandingFileKind>;

// `2024-02-30T…` parses in JavaScript (it rolls over to 1 March), so it catches validators that trust Date.parse.
const BAD_TIMESTAMPS = ['2024-13-45', 'yesterday', '2024-02-30T10:00:00Z', '2024/03/05 14:22:10', '', 'not a date', '2024-03-05T25:61:00Z'] as const;
const BAD_BIRTH_YEARS = ['nineteen ninety', '19x5', 'unknown', 'abc', '1990s'] as const;
const NON_NUMERIC_PRICES = ['free', '12,000원', 'call', 'N/A', '₩35000', '35k'] as const;
const UNKNOWN_STATUSES = ['done', 'pending', 'finished', 'no-show', 'cancel'] as const;
const OUT_OF_RANGE_RATINGS = ['0', '6', '-1', '10'] as const;
const NON_INTEGER_RATINGS = ['4.5', 'five', '3.7', '★★★★'] as const;
const EXTRA_FIELDS = ['extra', '', 'N/A', '1'] as const;

/** Column positions the corruption needs, per file. */
const COLUMNS = {
  users: { timestamp: 1, birthYear: 3, price: -1, status: -1, rating: -1, user: -1, service: -1 },
  services: { timestamp: 5, birthYear: -1, price: 4, status: -1, rating: -1, user: -1, service: -1 },
  reservations: { timestamp: 4, birthYear: -1, price: -1, status: 3, rating: 5, user: 1, service: 2 },
} as const;

/** Ids that are guaranteed not to exist, for the dangling-reference kinds. */
export interface UnknownIds {
  userId(): string;
  serviceId(): string;
}

/**
 * Turns a valid row (as fields) into a dirty one of the given kind, in place. The caller makes rows that need a
 * rating (`rating_*` kinds) `completed`, so the rating column is the only thing wrong.
 */
export function corruptRow<F extends LandingFileKind>(file: F, fields: string[], ctx: { kind: DirtyKindOf<F>; rng: Rng; unknown: UnknownIds }): string[] {
  const { rng } = ctx;
  const col = COLUMNS[file];
  const kind: DirtyKind = ctx.kind;
  const set = (i: number, v: string) => (fields[i] = v);
  switch (kind) {
    case 'empty_id':
      set(0, '');
      break;
    case 'bad_timestamp':
      set(col.timestamp, rng.pick(BAD_TIMESTAMPS));
      break;
    case 'bad_birth_year':
      set(col.birthYear, rng.pick(BAD_BIRTH_YEARS));
      break;
    case 'negative_price':
      set(col.price, String(-rng.int(1, 200) * 500));
      break;
    case 'non_numeric_price':
      set(col.price, rng.pick(NON_NUMERIC_PRICES));
      break;
    case 'unknown_status':
      set(col.status, rng.pick(UNKNOWN_STATUSES));
      set(col.rating, '');
      break;
    case 'rating_out_of_range':
      set(col.rating, rng.pick(OUT_OF_RANGE_RATINGS));
      break;
    case 'rating_not_integer':
      set(col.rating, rng.pick(NON_INTEGER_RATINGS));
      break;
    case 'unknown_user':
      set(col.user, ctx.unknown.userId());
      break;
    case 'unknown_service':
      set(col.service, ctx.unknown.serviceId());
      break;
    case 'too_few_fields':
      fields.length -= rng.int(1, 3);
      break;
    case 'too_many_fields':
      fields.push(...Array.from({ length: rng.int(1, 3) }, () => rng.pick(EXTRA_FIELDS)));
      break;
  }
  return fields;
}

/** Options of {@link DirtySchedule}. */
export interface DirtyScheduleOptions<K extends string> {
  readonly cleanRows: number;
  /** Share of ALL rows of the file that are dirty, in [0, 1). */
  readonly fraction: number;
  readonly kinds: readonly K[];
  readonly rng: Rng;
}

/**
 * Decides where dirty rows are inserted among the clean ones, and of which kind. Dirty rows are inserted, never
 * substituted, so the clean data is the same whatever the fraction. Positions use selection sampling
 * (Knuth's Algorithm S), which streams and places exactly `count` rows uniformly; kinds are dealt round-robin and
 * shuffled, so every kind appears as soon as there are at least as many dirty rows as kinds.
 */
export class DirtySchedule<K extends string> {
  /** Number of dirty rows: round(clean · f / (1 − f)), so that dirty / (clean + dirty) ≈ f. */
  readonly count: number;
  readonly counts: Record<K, number>;
  readonly #kinds: K[];
  readonly #rng: Rng;
  #slotsLeft: number;
  #dirtyLeft: number;

  constructor(opts: DirtyScheduleOptions<K>) {
    this.count = opts.fraction > 0 ? Math.round((opts.cleanRows * opts.fraction) / (1 - opts.fraction)) : 0;
    this.#rng = opts.rng;
    this.#kinds = opts.rng.shuffle(Array.from({ length: this.count }, (_, i) => opts.kinds[i % opts.kinds.length] as K));
    this.counts = Object.fromEntries(opts.kinds.map((k) => [k, 0])) as Record<K, number>;
    this.#slotsLeft = opts.cleanRows + this.count;
    this.#dirtyLeft = this.count;
  }

  /**
   * Call once before each clean row, and repeatedly until it returns undefined (which consumes the clean row's
   * slot); after the last clean row, keep calling to drain the remaining dirty rows.
   */
  next(): K | undefined {
    const slots = this.#slotsLeft--;
    if (this.#dirtyLeft === 0 || this.#rng.next() * slots >= this.#dirtyLeft) return undefined;
    const kind = this.#kinds[this.count - this.#dirtyLeft--] as K;
    this.counts[kind] += 1;
    return kind;
  }
}

/** Merges clean lines with the dirty lines a schedule asks for, keeping the schedule's positions. */
export function* interleaveDirty<K extends string>(
  clean: Iterable<string>,
  schedule: DirtySchedule<K>,
  makeDirty: (kind: K, index: number) => string,
): Generator<string> {
  let index = 0;
  for (const line of clean) {
    for (let k = schedule.next(); k !== undefined; k = schedule.next()) yield makeDirty(k, index++);
    yield line;
  }
  for (let k = schedule.next(); k !== undefined; k = schedule.next()) yield makeDirty(k, index++);
}
