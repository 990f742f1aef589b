import { rankingMetricsAtK, temporalSplit } from '../evaluation/index.ts';
import { loadInteractionLog, type FeedbackUsage, type FeedbackWeights, type InteractionLog } from '../features/index.ts';
import { createRecommender, MODEL_CATALOG, resolvedParams } from '../models/index.ts';
import type { CsrMatrix, EpochReport, ModelKind, ParamRange, SearchSpace } from '../models/index.ts';
import { ValidationError } from '../shared/index.ts';
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
  TrialPruned,
  type Params,
  type Space,
  type TrialHandle,
  type TrialRecord,
} from '../tuning/index.ts';
import { RunTracker, WarehouseStudyStorage } from '../registry/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import { feedbackSnapshot, runTrainJob, type TrainSummary } from './train-job.ts';

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
  /** A search space to use instead of the model's own (another set of ranges of its params); default the model's. */
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

/** Users scored per intermediate report: enough to rank trials, cheap next to an iteration. */
const INTERMEDIATE_USERS = 1000;
/** At most this many intermediate reports per trial. */
const MAX_REPORTS = 8;

/**
 * `pickwise tune`: a TPE search over the model's search space with the study in the warehouse. Trials fit on
 * each user's earlier interactions and are scored by NDCG@k on the validation interactions that follow them;
 * the evaluation hold-out (each user's latest 20 %, what `pickwise evaluate` and `train` report) is never
 * seen by the search. ALS and BPR report validation NDCG during training, and the median pruner stops trials
 * that trail. The best parameters are then trained as `pickwise train` would, and saved.
 */
export async function runTuneJob(o: TuneJobOptions): Promise<TuneSummary> {
  const started = performance.now();
  const entry = MODEL_CATALOG[o.kind];
  const space = Object.fromEntries(Object.entries(o.searchSpace ?? entry.searchSpace).filter((e): e is [string, ParamRange] => e[1] !== undefined)) as Space;
  if (Object.keys(space).length === 0) throw new ValidationError(`${o.kind} has no hyperparameters to tune`);
  const log = await loadInteractionLog(o.warehouse, o.feedback ? { feedback: o.feedback } : {});
  if (log.count === 0) throw new ValidationError('the warehouse holds no reservations to learn from: land files and run pickwise ingest first');
  const { train, validation } = validationSplit(log);
  if (validation.indptr[validation.rows] === 0)
    throw new ValidationError('too few reservations per user to hold any out for validation: tuning needs users with at least 7 weighted reservations');
  const k = o.k ?? 10;
  const seed = o.seed ?? 42;
  const probeUsers = sampleUsers(validation, INTERMEDIATE_USERS);
  const probe = restrictRows(validation, probeUsers);

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
  const data = await tracker.snapshot(log.count, log.feedback ? feedbackSnapshot(log.feedback) : undefined); // every trial sees the same warehouse
  await study.optimize(
    async (trial) => {
      const started = performance.now();
      const run = await tracker.start({
        experiment,
        runType: 'tune-trial',
        modelKind: o.kind,
        params: resolvedParams(o.kind, trial.params),
        interactions: log.count,
        data,
      });
      const steps: [number, number][] = [];
      let value: number | undefined;
      let status: 'finished' | 'failed' = 'failed';
      try {
        value = await runTrial(trial, (step, v) => steps.push([step, v]));
        status = 'finished';
        return value;
      } catch (error) {
        if (error instanceof TrialPruned) status = 'finished';
        throw error;
      } finally {
        for (const [step, v] of steps) await tracker.logMetrics(run, { 'validation.ndcg_probe': v }, step);
        await tracker.logMetrics(run, { trial: trial.number, ...(value !== undefined ? { 'validation.ndcg': value } : {}) });
        await tracker.finish(run, status, (performance.now() - started) / 1000);
      }
    },
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

  /** One trial: fit on the training part, report probe NDCG during training, return validation NDCG. */
  async function runTrial(trial: TrialHandle, onReport: (step: number, value: number) => void): Promise<number> {
    const model = createRecommender(o.kind, { ...trial.params });
    const iterations = Number(trial.params['iterations'] ?? 1);
    const every = Math.max(1, Math.ceil(iterations / MAX_REPORTS));
    let prunedAt: number | undefined;
    const onEpoch = (r: EpochReport): boolean | void => {
      if (o.pruner === 'none' || r.current === undefined || r.epoch % every !== 0) return;
      const ndcg = rankingMetricsAtK(r.current(), train, probe, { k }).ndcg;
      onReport(r.epoch, ndcg);
      if (trial.report(r.epoch, ndcg)) {
        prunedAt = r.epoch;
        return false;
      }
    };
    await model.fit(train, {
      seed,
      userRegions: log.userRegion,
      ...(o.threads ? { threads: o.threads } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onEpoch,
    });
    if (prunedAt !== undefined) throw new TrialPruned(prunedAt);
    return rankingMetricsAtK(model, train, validation, { k }).ndcg;
  }

  const all = await study.trials();
  const best = bestTrial(all, 'maximize');
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

/**
 * Train and validation matrices inside the evaluation split's training part: the evaluation hold-out
 * (each user's latest 20 %) is dropped, and of what remains each user's latest 20 % validates.
 */
export function validationSplit(log: InteractionLog): { train: CsrMatrix; validation: CsrMatrix } {
  const columns = { users: log.user, items: log.item, times: log.time, values: log.value, nUsers: log.users.size, nItems: log.items.size };
  const outer = temporalSplit(columns);
  const keep: number[] = [];
  outer.side.forEach((s, e) => s === 0 && keep.push(e));
  const pick = <A extends Int32Array | Float32Array | Float64Array>(a: A): A => {
    const out = new (a.constructor as new (n: number) => A)(keep.length);
    keep.forEach((e, i) => (out[i] = a[e]!));
    return out;
  };
  const inner = temporalSplit({ ...columns, users: pick(log.user), items: pick(log.item), times: pick(log.time), values: pick(log.value) });
  return { train: inner.train, validation: inner.test };
}

/** Up to `max` users with validation interactions, evenly spread over the user ids (deterministic). */
function sampleUsers(m: CsrMatrix, max: number): Set<number> {
  const users: number[] = [];
  for (let u = 0; u < m.rows; u++) if (m.indptr[u + 1]! > m.indptr[u]!) users.push(u);
  const stride = Math.max(1, users.length / max);
  const out = new Set<number>();
  for (let i = 0; i < users.length && out.size < max; i = Math.floor((out.size + 1) * stride)) out.add(users[i]!);
  return out;
}

/** `m` with only the rows of `users` kept (the others emptied). */
function restrictRows(m: CsrMatrix, users: Set<number>): CsrMatrix {
  const indptr = new Int32Array(m.rows + 1);
  const indices: number[] = [];
  const data: number[] = [];
  for (let u = 0; u < m.rows; u++) {
    if (users.has(u)) {
      for (let q = m.indptr[u]!; q < m.indptr[u + 1]!; q++) {
        indices.push(m.indices[q]!);
        data.push(m.data[q]!);
      }
    }
    indptr[u + 1] = indices.length;
  }
  return { rows: m.rows, cols: m.cols, indptr, indices: Int32Array.from(indices), data: Float32Array.from(data) };
}
