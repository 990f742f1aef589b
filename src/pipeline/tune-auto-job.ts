import { rankingMetricsAtK } from '../evaluation/index.ts';
import { loadInteractionLog, type FeedbackUsage, type FeedbackWeights } from '../features/index.ts';
import { createRecommender, isModelKind, MODEL_CATALOG, MODEL_KINDS, resolvedParams, type ModelKind } from '../models/index.ts';
import { RunTracker, WarehouseStudyStorage } from '../registry/index.ts';
import { ValidationError } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
import type { ObjectStore } from '../storage/index.ts';
import { bestTrial, FirstTrialSampler, halveFamilies, MedianPruner, Study, TpeSampler } from '../tuning/index.ts';
import type { Objective, Params, RungResult, TrialRecord } from '../tuning/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import { feedbackSnapshot, runTrainJob, type TrainSummary } from './train-job.ts';
import { trialObjective, tuneData, tuneSpace, type TuneData } from './tune-trial.ts';

/** The baseline every search is shown beside; never a family of the search itself. */
const BASELINE: ModelKind = 'popular';
/** Below this much budget per family no search is meaningful, whatever the data: refused before any work. */
export const MIN_BUDGET_PER_FAMILY_MS = 1000;
/** The budget of `--algo auto` when none is given: on movielens-small (100 k interactions, 2 cores) ~100 trials of the winner. */
export const DEFAULT_AUTO_BUDGET_MS = 5 * 60_000;
/** Complete trials a family needs before halving may drop it: TPE's random start-up (10 trials), so it is judged on a guided search. */
const MIN_TRIALS_TO_RANK = 10;
/** Trials a slot may run at most: slots end by time, this only bounds a loop. */
const MAX_TRIALS_PER_SLOT = 100_000;

export interface AutoTuneJobOptions {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  /** The whole search's time, families and hyperparameters together (the final fit of the winner comes on top). */
  readonly budgetMs: number;
  /** Families to search (model kinds); default every kind of the catalog with a search space, popularity aside. */
  readonly families?: readonly string[];
  /** Prefix of the families' study names: `<study>-<kind>`. Default 'auto'. */
  readonly study?: string;
  readonly seed?: number;
  readonly threads?: number;
  /** Cut-off of NDCG, the objective. Default 10. */
  readonly k?: number;
  /** η of the halving across families. Default 2. */
  readonly eta?: number;
  /** Fit the winner on all data, save and register it (as `pickwise train`). Default true. */
  readonly save?: boolean;
  readonly feedback?: FeedbackWeights;
  /** Registered name of the winner; default its kind. */
  readonly registerAs?: string;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly onTrial?: (kind: ModelKind, trial: TrialRecord, best: TrialRecord | undefined) => void;
}

/** One family's search: its study, its best trial, and how the halving treated it. */
export interface FamilySearch {
  readonly kind: ModelKind;
  readonly study: string;
  readonly best?: { readonly number: number; readonly params: Params; readonly validationNdcg: number };
  readonly trials: { readonly complete: number; readonly pruned: number; readonly failed: number };
  readonly seconds: number;
  readonly rungs: number;
  /** The rung (0-based) after which a better family took its place. */
  readonly droppedAfter?: number;
  /** Why the family was not searched: its fit refused the data. */
  readonly skipped?: string;
}

export interface AutoTuneSummary {
  readonly families: FamilySearch[];
  /** Popularity (its defaults) on the same validation split. */
  readonly popularity: { readonly validationNdcg: number };
  /** The best validation NDCG of all; popularity when no family beats it. */
  readonly winner?: { readonly kind: ModelKind; readonly params: Params; readonly validationNdcg: number; readonly study?: string };
  readonly budgetSeconds: number;
  /** Time the search took (families and the baseline), before the winner's final fit. */
  readonly searchSeconds: number;
  readonly feedback?: FeedbackUsage;
  /** The winner fitted and scored as `pickwise train` does (hold-out beside popularity), saved and registered. */
  readonly final?: TrainSummary;
  readonly seconds: number;
}

/** The families to search: the named ones checked against the catalog, or every kind that has a search space. */
export function searchFamilies(names: readonly string[] | undefined): ModelKind[] {
  const tunable = MODEL_KINDS.filter((kind) => kind !== BASELINE && Object.values(MODEL_CATALOG[kind].searchSpace).some((r) => r !== undefined));
  if (names === undefined) return tunable;
  const unknown = names.filter((n) => !isModelKind(n));
  if (unknown.length > 0)
    throw new ValidationError(
      `unknown model famil${unknown.length > 1 ? 'ies' : 'y'} ${unknown.map((n) => `'${n}'`).join(', ')}: the families are ${tunable.join(', ')}`,
    );
  const untunable = names.filter((n) => !tunable.includes(n as ModelKind));
  if (untunable.length > 0)
    throw new ValidationError(
      `${untunable.join(', ')} cannot be a family of the search (${BASELINE} is the baseline, always scored): the families are ${tunable.join(', ')}`,
    );
  const chosen = [...new Set(names)] as ModelKind[];
  if (chosen.length === 0) throw new ValidationError(`no model family given: the families are ${tunable.join(', ')}`);
  return chosen;
}

/**
 * `pickwise tune --algo auto`: one TPE study per family (`<study>-<kind>`, in the warehouse like any study) and
 * successive halving across families under one time budget, on the validation split only (the evaluation
 * hold-out is never seen). Each family's first trial is its published defaults; inside a family the median
 * pruner stops trials by epochs, and a trial still running when its family's slot ends stops at its next epoch
 * (recorded as pruned). Popularity is scored beside; the best validation NDCG wins and is trained as
 * `pickwise train` would, saved and registered.
 */
export async function runAutoTuneJob(o: AutoTuneJobOptions): Promise<AutoTuneSummary> {
  const started = performance.now();
  const kinds = searchFamilies(o.families);
  const floorMs = kinds.length * MIN_BUDGET_PER_FAMILY_MS;
  if (!(o.budgetMs >= floorMs)) {
    throw new ValidationError(
      `a budget of ${(o.budgetMs / 1000).toFixed(1)} s is too small for one trial of each of the ${kinds.length} model families (${kinds.join(', ')}): give at least ${floorMs / 1000}s`,
    );
  }
  const k = o.k ?? 10;
  const seed = o.seed ?? 42;
  const log = await loadInteractionLog(o.warehouse, o.feedback ? { feedback: o.feedback } : {});
  const data = tuneData(log, k);
  const tracker = new RunTracker(o.warehouse);
  const snapshot = await tracker.snapshot(log.count, log.feedback ? feedbackSnapshot(log.feedback) : undefined);
  const prefix = o.study ?? 'auto';
  const popularity = await validationNdcg(BASELINE, data, { seed, ...(o.threads ? { threads: o.threads } : {}) });

  const searches = new Map<ModelKind, FamilyState>();
  const open = async (kind: ModelKind): Promise<FamilyState> => {
    let f = searches.get(kind);
    if (f) return f;
    const name = `${prefix}-${kind}`;
    const study = await Study.open({
      storage: new WarehouseStudyStorage(o.warehouse),
      name,
      space: tuneSpace(kind, data.train),
      direction: 'maximize',
      sampler: new FirstTrialSampler(resolvedParams(kind), new TpeSampler()),
      pruner: new MedianPruner({ startupTrials: 5, warmupSteps: 1 }),
      seed,
    });
    const state: FamilyState = { study, name, counts: { complete: 0, pruned: 0, failed: 0 }, untilMs: 0, ranFirst: false };
    // A trial whose settings the data refuses (or that diverged) fails; the search goes on.
    state.objective = trialObjective({
      kind,
      data,
      tracker,
      experiment: `tune:${name}`,
      snapshot,
      seed,
      prune: true,
      ...(o.threads ? { threads: o.threads } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      stopNow: () => state.ranFirst && performance.now() > state.untilMs,
      onRefused: (trial, error) => {
        state.refusal ??= error.message;
        o.logger.debug({ kind, trial, error: error.message }, 'trial refused');
      },
    });
    searches.set(kind, state);
    f = state;
    return f;
  };

  const runRung = async (kind: ModelKind, r: { untilMs: number }): Promise<RungResult> => {
    const f = await open(kind);
    f.untilMs = r.untilMs;
    const optimize = (trials: number, timeoutMs?: number) =>
      f.study.optimize(f.objective!, {
        trials,
        ...(timeoutMs !== undefined ? { timeoutMs } : {}),
        ...(o.signal ? { signal: o.signal } : {}),
        onTrial: (t, best) => {
          f.counts[t.state === 'complete' ? 'complete' : t.state === 'pruned' ? 'pruned' : 'failed']++;
          o.onTrial?.(kind, t, best);
        },
      });
    let firstTrialMs: number | undefined;
    if (!f.ranFirst) {
      const t0 = performance.now();
      await optimize(1);
      firstTrialMs = performance.now() - t0;
      f.ranFirst = true;
      // The defaults refused: the family cannot be fitted to this data.
      if (f.counts.complete === 0 && f.refusal !== undefined) return { best: undefined, skipped: f.refusal, firstTrialMs };
    }
    const left = r.untilMs - performance.now();
    if (left > 0) await optimize(MAX_TRIALS_PER_SLOT, left);
    const trials = await f.study.trials();
    const curve = trials.filter((t) => t.state === 'complete' && t.value !== undefined).map((t) => t.value!);
    return { best: bestTrial(trials, 'maximize')?.value, curve, ...(firstTrialMs !== undefined ? { firstTrialMs } : {}) };
  };

  const { standings } = await halveFamilies({
    families: kinds,
    budgetMs: o.budgetMs,
    ...(o.eta !== undefined ? { eta: o.eta } : {}),
    minTrials: MIN_TRIALS_TO_RANK,
    now: () => performance.now(),
    runRung,
    ...(o.signal ? { signal: o.signal } : {}),
  });

  const searchSeconds = (performance.now() - started) / 1000;
  const families: FamilySearch[] = [];
  for (const s of standings) {
    const f = searches.get(s.family);
    const best = f ? bestTrial(await f.study.trials(), 'maximize') : undefined;
    families.push({
      kind: s.family,
      study: f?.name ?? `${prefix}-${s.family}`,
      ...(best ? { best: { number: best.number, params: best.params, validationNdcg: best.value! } } : {}),
      trials: f ? { ...f.counts } : { complete: 0, pruned: 0, failed: 0 },
      seconds: s.spentMs / 1000,
      rungs: s.rungs,
      ...(s.droppedAfter !== undefined ? { droppedAfter: s.droppedAfter } : {}),
      ...(s.skipped !== undefined ? { skipped: s.skipped } : {}),
    });
  }
  const leader = families.reduce<FamilySearch | undefined>(
    (a, f) => (f.best && (!a?.best || f.best.validationNdcg > a.best.validationNdcg) ? f : a),
    undefined,
  );
  const winner =
    leader?.best && leader.best.validationNdcg > popularity
      ? { kind: leader.kind, params: leader.best.params, validationNdcg: leader.best.validationNdcg, study: leader.study }
      : { kind: BASELINE, params: {}, validationNdcg: popularity };
  let final: TrainSummary | undefined;
  if (o.save !== false && !o.signal?.aborted) {
    const how = winner.study !== undefined ? `study '${winner.study}', trial #${leader!.best!.number}` : 'no family beat it';
    final = await runTrainJob({
      warehouse: o.warehouse,
      store: o.store,
      kind: winner.kind,
      params: { ...winner.params },
      logger: o.logger,
      seed,
      k,
      save: true,
      experiment: `tune:${winner.study ?? `${prefix}-${BASELINE}`}`,
      log,
      registerReason: `chosen by pickwise tune --algo auto among ${kinds.join(', ')} (${how}, validation NDCG@${k} ${winner.validationNdcg.toFixed(4)}; popularity ${popularity.toFixed(4)})`,
      ...(o.threads ? { threads: o.threads } : {}),
      ...(o.registerAs !== undefined ? { registerAs: o.registerAs } : {}),
    });
  }
  return {
    families,
    popularity: { validationNdcg: popularity },
    winner,
    budgetSeconds: o.budgetMs / 1000,
    searchSeconds,
    ...(log.feedback ? { feedback: log.feedback } : {}),
    ...(final ? { final } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}

interface FamilyState {
  readonly study: Study;
  readonly name: string;
  readonly counts: { complete: number; pruned: number; failed: number };
  /** Where the current slot ends (performance.now ms); a trial under way then stops at its next epoch. */
  untilMs: number;
  /** Its first trial (the defaults) ran; that one is never stopped by the clock. */
  ranFirst: boolean;
  objective?: Objective;
  /** The first refusal of the data (ValidationError or ModelFitError) met by a trial. */
  refusal?: string;
}

/** A model of `kind` with its defaults, fitted on the training part and scored on the validation part. */
async function validationNdcg(kind: ModelKind, data: TuneData, fit: { seed: number; threads?: number }): Promise<number> {
  const model = createRecommender(kind);
  await model.fit(data.train, { ...fit, userRegions: data.log.userRegion });
  return rankingMetricsAtK(model, data.train, data.validation, { k: data.k }).ndcg;
}
