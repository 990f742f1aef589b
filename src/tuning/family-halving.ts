import { ValidationError } from '../shared/index.ts';

/** What one family's share of a rung gave (the runner keeps the family's study between rungs). */
export interface RungResult {
  /** The family's best value so far over all its rungs (higher is better); undefined while no trial completed. */
  readonly best: number | undefined;
  /** The values of its complete trials so far, in trial order: how fast its search is still climbing. */
  readonly curve?: readonly number[];
  /** How long the family's very first trial took, when this rung ran it (what the budget check measures). */
  readonly firstTrialMs?: number;
  /** Set when the family cannot be fitted to this data at all (its fit refused it): it leaves the race. */
  readonly skipped?: string;
}

/** Where a family ended. */
export interface FamilyStanding<F extends string> {
  readonly family: F;
  readonly best: number | undefined;
  /** Time its rungs took, in ms of the injected clock. */
  readonly spentMs: number;
  /** Rungs it ran (1 for a family dropped after the first). */
  readonly rungs: number;
  /** The rung after which it was dropped (0-based); undefined for the winner and skipped families. */
  readonly droppedAfter?: number;
  readonly skipped?: string;
}

export interface HalvingOptions<F extends string> {
  readonly families: readonly F[];
  /** The whole search's budget, in ms of `now`. */
  readonly budgetMs: number;
  /** η: after each rung the best ⌈n/η⌉ families go on. Default 2. */
  readonly eta?: number;
  /**
   * A family with fewer complete trials than this (its `curve`) is not dropped yet: its search has not left its
   * random start-up, so its best says little. Default 0 (rank on whatever was measured).
   */
  readonly minTrials?: number;
  /** Milliseconds on any monotonic clock (performance.now in production, a fake in tests). */
  readonly now: () => number;
  /**
   * Runs `family`'s trials until the clock reaches `untilMs` (a trial under way may finish, or stop at its next
   * epoch). A family's first trial always runs to its end, however short the slot: without one value it cannot
   * be ranked.
   */
  readonly runRung: (family: F, o: { readonly rung: number; readonly untilMs: number }) => Promise<RungResult>;
  readonly signal?: AbortSignal;
}

/** Rungs still to run for `n` families: n → ⌈n/η⌉ → … → 1, the last rung being the single survivor's. */
export function rungsFor(n: number, eta: number): number {
  let rungs = 1;
  for (let left = n; left > 1; left = Math.ceil(left / eta)) rungs++;
  return rungs;
}

/**
 * Successive halving across model families (Jamieson & Talwalkar 2016; Li et al. 2018 for its budget form):
 * the remaining budget is split evenly over the rungs still to run, and a rung's share evenly over the families
 * in it; after the rung, only the best ⌈n/η⌉ families go on, ranked by {@link rankValue} (the best value so far,
 * plus the gain of a search still climbing), and a family with fewer than `minTrials` complete trials is kept
 * whatever its rank. The search ends when one family is left or the budget is spent. The winner is the best
 * value, never an extrapolation. Every family keeps its
 * study from rung to rung, so a survivor's later slots continue its search rather than restart it, and the
 * last family standing spends the last rung alone. Families run one after another (each trial uses every core).
 * Slot ends are recomputed from the clock before each family, so one that overran its slot is paid for by the
 * ones after it, not by the total.
 *
 * Throws a ValidationError, as soon as the first trials measured show it, when one trial of each family cannot
 * fit in the budget.
 */
export async function halveFamilies<F extends string>(o: HalvingOptions<F>): Promise<{ standings: FamilyStanding<F>[]; winner: F | undefined }> {
  const eta = o.eta ?? 2;
  if (!(eta > 1)) throw new ValidationError(`the halving factor eta must be above 1, got ${eta}`);
  if (o.families.length === 0) throw new ValidationError('no model family to search');
  const start = o.now();
  const end = start + o.budgetMs;
  const state = new Map<
    F,
    { best: number | undefined; rank: number; trials: number; spentMs: number; rungs: number; droppedAfter?: number; skipped?: string }
  >();
  for (const f of o.families) state.set(f, { best: undefined, rank: -Infinity, trials: 0, spentMs: 0, rungs: 0 });
  const firstTrials: number[] = [];
  let alive = [...o.families];
  let stalled = false;
  for (let rung = 0; alive.length > 0 && !o.signal?.aborted; rung++) {
    // A rung that dropped nobody (every family still short of minTrials) makes the next one the last.
    const rungEnd = stalled ? end : o.now() + (end - o.now()) / rungsFor(alive.length, eta);
    for (let i = 0; i < alive.length && !o.signal?.aborted; i++) {
      const family = alive[i]!;
      const from = o.now();
      const untilMs = from + Math.max(0, rungEnd - from) / (alive.length - i);
      const r = await o.runRung(family, { rung, untilMs });
      const s = state.get(family)!;
      s.spentMs += o.now() - from;
      s.rungs++;
      s.best = r.best;
      s.rank = rankValue(r);
      s.trials = r.curve?.length ?? (r.best === undefined ? 0 : 1);
      if (r.skipped !== undefined) s.skipped = r.skipped;
      if (r.firstTrialMs !== undefined) {
        firstTrials.push(r.firstTrialMs);
        checkFirstTrials({ measured: firstTrials, families: o.families.length, budgetMs: o.budgetMs, family });
      }
    }
    alive = alive.filter((f) => state.get(f)!.skipped === undefined);
    if (alive.length <= 1 || o.now() >= end) break;
    const ranked = [...alive].sort((a, b) => state.get(b)!.rank - state.get(a)!.rank);
    const keep = [...ranked.slice(0, Math.ceil(alive.length / eta)), ...alive.filter((f) => state.get(f)!.trials < (o.minTrials ?? 0))];
    for (const f of alive) if (!keep.includes(f)) state.get(f)!.droppedAfter = rung;
    stalled = alive.every((f) => keep.includes(f));
    alive = alive.filter((f) => keep.includes(f));
  }
  const standings = o.families.map((family) => {
    const s = state.get(family)!;
    return {
      family,
      best: s.best,
      spentMs: s.spentMs,
      rungs: s.rungs,
      ...(s.droppedAfter !== undefined ? { droppedAfter: s.droppedAfter } : {}),
      ...(s.skipped !== undefined ? { skipped: s.skipped } : {}),
    };
  });
  let winner: F | undefined;
  for (const s of standings) if (s.best !== undefined && (winner === undefined || s.best > state.get(winner)!.best!)) winner = s.family;
  return { standings, winner };
}

/**
 * What a family is ranked by between rungs: its best value plus what its search gained over its second half of
 * trials (best − best of the first half), a linear extrapolation of its learning curve to as many trials again.
 * A family whose search still climbs (many parameters, slow trials, few of them so far) is not dropped for a
 * family that converged in its first cheap trials; one that has plateaued is ranked by its best alone.
 */
export function rankValue(r: Pick<RungResult, 'best' | 'curve'>): number {
  if (r.best === undefined) return -Infinity;
  const curve = r.curve ?? [];
  if (curve.length < 2) return r.best;
  let firstHalf = -Infinity;
  for (let i = 0; i < Math.ceil(curve.length / 2); i++) firstHalf = Math.max(firstHalf, curve[i]!);
  return r.best + Math.max(0, r.best - firstHalf);
}

/** The measured first trials, extrapolated to every family, must fit in the budget. */
function checkFirstTrials(o: { measured: readonly number[]; families: number; budgetMs: number; family: string }): void {
  const sum = o.measured.reduce((a, b) => a + b, 0);
  const needed = sum + (o.families - o.measured.length) * (sum / o.measured.length);
  if (needed <= o.budgetMs) return;
  const s = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
  throw new ValidationError(
    `a budget of ${s(o.budgetMs)} is too small for one trial of each of the ${o.families} model families: the first trials measured ` +
      `(${o.measured.length} of ${o.families} families, the last ${o.family}) took ${s(sum)}, so one trial each needs about ${s(needed)}; ` +
      `give a budget of at least ${Math.ceil((needed * 3) / 1000)}s, or fewer families with --algos`,
  );
}
