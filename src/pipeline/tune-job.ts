import { loadInteractionLog, type FeedbackUsage, type FeedbackWeights } from '../features/index.ts';
import { MODEL_CATALOG } from '../models/index.ts';
import type { ModelKind, SearchSpace } from '../models/index.ts';
import { ModelFitError, ValidationError } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
import type { ObjectStore } from '../storage/index.ts';
import {
  bestTrial,
  MedianPruner,
  NopPruner,
  parameterImportance,
  SuccessiveHalvingPruner,
  Study,
  TpeSampler,
  type Params,
  type TrialRecord,
} from '../tuning/index.ts';
import { RunTracker, WarehouseStudyStorage } from '../registry/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import { feedbackSnapshot, runTrainJob, type TrainSummary } from './train-job.ts';
import { trialObjective, tuneData, tuneSpace } from './tune-trial.ts';

export interface TuneJobOptions {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly kind: ModelKind;
  /** Trials this run adds to the study. */
  readonly trials: number;
  readonly timeoutMs?: number;
  /** Study name; default `<kind>`. Runs with the same name continue one study (also from several processes). */
  readonly study?: string;
  readonly seed?: number;
  /** A search space to use instead of the model's own (e.g. ALS's `alsRevisitedSearchSpace`). */
  readonly searchSpace?: SearchSpace<unknown>;
  readonly threads?: number;
  /** Cut-off of NDCG, the objective. Default 10. */
  readonly k?: number;
  /**
   * How poor trials stop early from their validation NDCG per iteration/epoch (ALS, BPR): 'median' (default),
   * 'halving' (asynchronous successive halving) or 'none'.
   */
  readonly pruner?: 'median' | 'halving' | 'none';
  /** Fit the best parameters on all data and save the model (as `pickwise train` does). Default true. */
  readonly save?: boolean;
  /** Learn from stored feedback events too, with these weights (`feedback.weights`); undefined: reservations only. */
  readonly feedback?: FeedbackWeights;
  readonly logger: Logger;
  readonly signal?: AbortSignal;
  readonly onTrial?: (trial: TrialRecord, best: TrialRecord | undefined) => void;
  /** Registered model name of the best model saved (a new version of it); default the model kind. */
  readonly registerAs?: string;
}

export interface TuneSummary {
  readonly study: string;
  readonly kind: ModelKind;
  /** This run's trials by state, and the study's total. */
  readonly trials: { readonly complete: number; readonly pruned: number; readonly failed: number; readonly studyTotal: number };
  /** The study's best trial: validation NDCG@k. */
  readonly best?: { readonly number: number; readonly params: Params; readonly validationNdcg: number };
  readonly importance: Record<string, number>;
  /** The feedback events the search (and the final model) learned from; absent when feedback was not read. */
  readonly feedback?: FeedbackUsage;
  /** The best parameters fitted and scored the way `pickwise train` does (hold-out beside popularity), saved. */
  readonly final?: TrainSummary;
  readonly seconds: number;
}

/**
 * `pickwise tune`: a TPE search over the model's search space with the study in the warehouse. Trials fit on
 * each user's earlier interactions and are scored by NDCG@k on the validation interactions that follow them;
 * the evaluation hold-out (each user's latest 20 %, what `pickwise evaluate` and `train` report) is never
 * seen by the search. ALS and BPR report validation NDCG during training, and the median pruner stops trials
 * that trail. The best parameters are then trained as `pickwise train` would, and saved.
 */
export async function runTuneJob(o: TuneJobOptions): Promise<TuneSummary> {
  const started = performance.now();
  if (Object.values(o.searchSpace ?? MODEL_CATALOG[o.kind].searchSpace).every((r) => r === undefined))
    throw new ValidationError(`${o.kind} has no hyperparameters to tune`);
  const log = await loadInteractionLog(o.warehouse, o.feedback ? { feedback: o.feedback } : {});
  const k = o.k ?? 10;
  const seed = o.seed ?? 42;
  const data = tuneData(log, k);
  const space = tuneSpace(o.kind, data.train, o.searchSpace);

  const studyName = o.study ?? o.kind;
  const study = await Study.open({
    storage: new WarehouseStudyStorage(o.warehouse),
    name: studyName,
    space,
    direction: 'maximize',
    sampler: new TpeSampler(),
    pruner:
      o.pruner === 'halving' ? new SuccessiveHalvingPruner() : o.pruner === 'none' ? new NopPruner() : new MedianPruner({ startupTrials: 5, warmupSteps: 1 }),
    seed,
  });
  const counts = { complete: 0, pruned: 0, failed: 0 };
  const tracker = new RunTracker(o.warehouse);
  const experiment = `tune:${studyName}`;
  const snapshot = await tracker.snapshot(log.count, log.feedback ? feedbackSnapshot(log.feedback) : undefined); // every trial sees the same warehouse
  let refusal: { trial: number; message: string } | undefined;
  await study.optimize(
    trialObjective({
      kind: o.kind,
      data,
      tracker,
      experiment,
      snapshot,
      seed,
      prune: o.pruner !== 'none',
      ...(o.threads ? { threads: o.threads } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      // A trial whose settings the data refuses (or that diverged) fails; the search goes on.
      onRefused: (trial, error) => {
        refusal ??= { trial, message: error.message };
        o.logger.warn({ trial, error: error.message }, 'trial failed: the data refused its settings or the fit diverged');
      },
    }),
    {
      trials: o.trials,
      ...(o.timeoutMs !== undefined ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onTrial: (t, best) => {
        counts[t.state === 'complete' ? 'complete' : t.state === 'pruned' ? 'pruned' : 'failed']++;
        o.logger.debug({ trial: t.number, state: t.state, value: t.value, params: t.params, best: best?.value }, 'trial finished');
        o.onTrial?.(t, best);
      },
    },
  );

  const all = await study.trials();
  const best = bestTrial(all, 'maximize');
  if (best === undefined && refusal !== undefined)
    throw new ModelFitError(`no trial of study '${studyName}' completed: ${counts.failed} failed, the first (#${refusal.trial}) with "${refusal.message}"`);
  const importance = parameterImportance(space, all);
  let final: TrainSummary | undefined;
  if (best && o.save !== false && !o.signal?.aborted) {
    final = await runTrainJob({
      warehouse: o.warehouse,
      store: o.store,
      kind: o.kind,
      params: { ...best.params },
      logger: o.logger,
      seed,
      k,
      save: true,
      experiment,
      log,
      registerReason: `tuned by pickwise tune (study '${studyName}', best of ${all.length} trials: #${best.number}, validation NDCG@${k} ${best.value!.toFixed(4)})`,
      ...(o.threads ? { threads: o.threads } : {}),
      ...(o.registerAs !== undefined ? { registerAs: o.registerAs } : {}),
    });
  }
  return {
    study: studyName,
    kind: o.kind,
    trials: { ...counts, studyTotal: all.length },
    ...(best ? { best: { number: best.number, params: best.params, validationNdcg: best.value! } } : {}),
    importance,
    ...(log.feedback ? { feedback: log.feedback } : {}),
    ...(final ? { final } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}
