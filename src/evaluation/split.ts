import { ValidationError } from '../shared/index.ts';
import { csrFromCoo, Rng, type CsrMatrix } from '../models/index.ts';

/** Interactions as parallel columns with dense ids: interaction e is (users[e], items[e], values[e]). */
export interface InteractionColumns {
  readonly users: Int32Array;
  readonly items: Int32Array;
  /** Confidence of each interaction; 1 when omitted. */
  readonly values?: Float32Array;
  readonly nUsers: number;
  readonly nItems: number;
}

export interface SplitOptions {
  /** Share of each eligible user's interactions held out, rounded down: floor(testFraction · n). Default 0.2. */
  readonly testFraction?: number;
  /**
   * Users with fewer interactions stay entirely in train. Default 5: the smallest n for which floor(0.2 · n) ≥ 1,
   * so with the default fraction it excludes no one the rounding would not already; it matters for larger fractions.
   */
  readonly minInteractions?: number;
  /**
   * A held-out interaction on an item the same user also has in train can never be a hit when seen items are excluded.
   * 'drop' (default) removes it from both sides; 'keep' leaves it in test.
   */
  readonly repeats?: 'drop' | 'keep';
}

/** Where each input interaction went. */
export const SplitSide = { train: 0, test: 1, droppedRepeat: 2 } as const;

export interface Split {
  /** users × items; repeated (user, item) pairs summed. */
  readonly train: CsrMatrix;
  /** users × items; repeated pairs merged by max. */
  readonly test: CsrMatrix;
  /** Per input interaction: a SplitSide value. Each interaction is on exactly one side, so nothing leaks. */
  readonly side: Uint8Array;
}

/**
 * Per-user temporal hold-out, the protocol of the shared data README: for each user with at least `minInteractions`
 * interactions, the latest floor(testFraction · n) by time go to test (equal times: later in the input counts as later),
 * the rest to train. With the defaults this reproduces the README's movielens-small split counts exactly.
 */
export function temporalSplit(input: InteractionColumns & SplitOptions & { readonly times: Float64Array }): Split {
  const { times } = input;
  if (times.length !== input.users.length) {
    throw new ValidationError(`temporalSplit: times has ${times.length} entries but users has ${input.users.length}`);
  }
  for (let e = 0; e < times.length; e++) {
    if (!Number.isFinite(times[e]!)) throw new ValidationError(`temporalSplit: interaction ${e} has time ${times[e]}`);
  }
  return splitPerUser(input, (list) => list.sort((a, b) => times[a]! - times[b]! || a - b));
}

/** Per-user random hold-out: the same counts as `temporalSplit`, but a seeded random choice of which interactions. */
export function randomSplit(input: InteractionColumns & SplitOptions & { readonly seed: number }): Split {
  const rng = new Rng(input.seed);
  return splitPerUser(input, (list) => rng.shuffle(list));
}

/** Groups interactions by user (input order), lets `order` arrange each user's list so the held-out ones are last, then builds both sides. */
function splitPerUser(input: InteractionColumns & SplitOptions, order: (list: Int32Array) => void): Split {
  const { users, items, values, nUsers, nItems, testFraction = 0.2, minInteractions = 5, repeats = 'drop' } = input;
  const n = users.length;
  if (items.length !== n) throw new ValidationError(`split: users has ${n} entries but items has ${items.length}`);
  if (values && values.length !== n) throw new ValidationError(`split: users has ${n} entries but values has ${values.length}`);
  if (!(testFraction >= 0 && testFraction < 1)) throw new ValidationError(`split: testFraction must be in [0, 1), got ${testFraction}`);
  if (!Number.isInteger(minInteractions) || minInteractions < 1) {
    throw new ValidationError(`split: minInteractions must be a positive integer, got ${minInteractions}`);
  }
  for (let e = 0; e < n; e++) {
    if (!(users[e]! >= 0 && users[e]! < nUsers)) throw new ValidationError(`split: interaction ${e} has user ${users[e]}, outside [0, ${nUsers})`);
    if (!(items[e]! >= 0 && items[e]! < nItems)) throw new ValidationError(`split: interaction ${e} has item ${items[e]}, outside [0, ${nItems})`);
  }

  const start = new Int32Array(nUsers + 1);
  for (let e = 0; e < n; e++) start[users[e]! + 1]!++;
  for (let u = 0; u < nUsers; u++) start[u + 1] = start[u + 1]! + start[u]!;
  const byUser = new Int32Array(n);
  const next = start.slice(0, nUsers);
  for (let e = 0; e < n; e++) byUser[next[users[e]!]!++] = e;

  const side = new Uint8Array(n);
  const trainItems = new Set<number>();
  for (let u = 0; u < nUsers; u++) {
    const list = byUser.subarray(start[u]!, start[u + 1]!);
    const count = list.length;
    const held = count >= minInteractions ? Math.floor(testFraction * count) : 0;
    if (held === 0) continue;
    order(list);
    const firstTest = count - held;
    for (let t = firstTest; t < count; t++) side[list[t]!] = SplitSide.test;
    if (repeats === 'drop') {
      trainItems.clear();
      for (let t = 0; t < firstTest; t++) trainItems.add(items[list[t]!]!);
      for (let t = firstTest; t < count; t++) if (trainItems.has(items[list[t]!]!)) side[list[t]!] = SplitSide.droppedRepeat;
    }
  }

  const pick = (wanted: number) => {
    let size = 0;
    for (let e = 0; e < n; e++) if (side[e] === wanted) size++;
    const rowIdx = new Int32Array(size);
    const colIdx = new Int32Array(size);
    const vals = new Float32Array(size);
    let p = 0;
    for (let e = 0; e < n; e++) {
      if (side[e] !== wanted) continue;
      rowIdx[p] = users[e]!;
      colIdx[p] = items[e]!;
      vals[p] = values ? values[e]! : 1;
      p++;
    }
    return { rows: nUsers, cols: nItems, rowIdx, colIdx, values: vals };
  };
  const train = csrFromCoo({ ...pick(SplitSide.train), duplicates: 'sum' });
  const test = csrFromCoo({ ...pick(SplitSide.test), duplicates: 'max' });
  return { train, test, side };
}
