import { availableParallelism } from 'node:os';
import { rankingMetricsAtK, rankingMetricsAtKParallel, temporalSplit } from '../evaluation/index.ts';
import type { InteractionLog } from '../features/index.ts';
import { createRecommender, fitSpaceToMatrix, MODEL_CATALOG, resolvedParams } from '../models/index.ts';
import type { CsrMatrix, EpochReport, ModelKind, ParamRange, SearchSpace } from '../models/index.ts';
import type { DataSnapshot, RunTracker } from '../registry/index.ts';
import { ModelFitError, ValidationError } from '../shared/index.ts';
import { TrialPruned, type Objective, type Space, type TrialHandle } from '../tuning/index.ts';

/** Users scored per intermediate report: enough to rank trials, cheap next to an iteration. */
const INTERMEDIATE_USERS = 1000;
/** At most this many intermediate reports per trial. */
const MAX_REPORTS = 8;

/** What every trial of a search fits and scores: the validation split of the warehouse's log. */
export interface TuneData {
  readonly log: InteractionLog;
  readonly train: CsrMatrix;
  readonly validation: CsrMatrix;
  /** The validation rows of up to 1000 users, scored after epochs for pruning. */
  readonly probe: CsrMatrix;
  /** Cut-off of NDCG, the objective. */
  readonly k: number;
}

/** The validation split of `log`, refused with a clear reason when the log cannot be tuned on. */
export function tuneData(log: InteractionLog, k: number): TuneData {
  if (log.count === 0) throw new ValidationError('the warehouse holds no reservations to learn from: land files and run pickwise ingest first');
  const { train, validation } = validationSplit(log);
  if (validation.indptr[validation.rows] === 0)
    throw new ValidationError('too few reservations per user to hold any out for validation: tuning needs users with at least 7 weighted reservations');
  return { log, train, validation, probe: restrictRows(validation, sampleUsers(validation, INTERMEDIATE_USERS)), k };
}

/** The kind's search space (tunable ranges only), narrowed to what the training matrix can carry. */
export function tuneSpace(kind: ModelKind, train: CsrMatrix, searchSpace: SearchSpace<unknown> = MODEL_CATALOG[kind].searchSpace): Space {
  const ranges = Object.entries(fitSpaceToMatrix(searchSpace, train)).filter((e): e is [string, ParamRange] => e[1] !== undefined);
  return Object.fromEntries(ranges);
}

export interface TrialObjectiveOptions {
  readonly kind: ModelKind;
  readonly data: TuneData;
  readonly tracker: RunTracker;
  /** Experiment name the trials' runs are recorded under (`tune:<study>`). */
  readonly experiment: string;
  /** The warehouse snapshot every trial of the search sees (RunTracker.snapshot). */
  readonly snapshot: DataSnapshot;
  readonly seed: number;
  readonly threads?: number;
  readonly signal?: AbortSignal;
  /** Report probe NDCG during training so the study's pruner can stop poor trials. */
  readonly prune: boolean;
  /** Asked after every epoch: true stops the trial there, recorded as pruned (a time slot that ran out). */
  readonly stopNow?: () => boolean;
  /**
   * Told when the data refuses a trial's settings (a ValidationError: more factors than items, say) or the fit
   * diverges (a ModelFitError). The trial then fails (its value is NaN) and the search goes on.
   */
  readonly onRefused?: (trial: number, error: ValidationError | ModelFitError) => void;
}

/**
 * One trial, recorded as a run of the tune experiment: fit on the training part with the trial's parameters,
 * report probe NDCG during training (ALS, BPR), return validation NDCG@k.
 */
export function trialObjective(o: TrialObjectiveOptions): Objective {
  const { train, validation, probe, k, log } = o.data;
  return async (trial) => {
    const started = performance.now();
    const run = await o.tracker.start({
      experiment: o.experiment,
      runType: 'tune-trial',
      modelKind: o.kind,
      params: resolvedParams(o.kind, trial.params),
      interactions: log.count,
      data: o.snapshot,
    });
    const steps: [number, number][] = [];
    let value: number | undefined;
    let status: 'finished' | 'failed' = 'failed';
    try {
      value = await fitAndScore(trial, (step, v) => steps.push([step, v]));
      status = 'finished';
      return value;
    } catch (error) {
      if (error instanceof TrialPruned) status = 'finished';
      else if (error instanceof ValidationError || error instanceof ModelFitError) {
        o.onRefused?.(trial.number, error);
        return Number.NaN;
      }
      throw error;
    } finally {
      for (const [step, v] of steps) await o.tracker.logMetrics(run, { 'validation.ndcg_probe': v }, step);
      await o.tracker.logMetrics(run, { trial: trial.number, ...(value !== undefined ? { 'validation.ndcg': value } : {}) });
      await o.tracker.finish(run, status, (performance.now() - started) / 1000);
    }
  };

  async function fitAndScore(trial: TrialHandle, onReport: (step: number, value: number) => void): Promise<number> {
    const model = createRecommender(o.kind, { ...trial.params });
    const iterations = Number(trial.params['iterations'] ?? 1);
    const every = Math.max(1, Math.ceil(iterations / MAX_REPORTS));
    let prunedAt: number | undefined;
    const onEpoch = (r: EpochReport): boolean | void => {
      if (o.stopNow?.() === true) {
        prunedAt = r.epoch;
        return false;
      }
      if (!o.prune || r.current === undefined || r.epoch % every !== 0) return;
      const ndcg = rankingMetricsAtK(r.current(), train, probe, { k }).ndcg;
      onReport(r.epoch, ndcg);
      if (trial.report(r.epoch, ndcg)) {
        prunedAt = r.epoch;
        return false;
      }
    };
    await model.fit(train, {
      seed: o.seed,
      userRegions: log.userRegion,
      ...(o.threads ? { threads: o.threads } : {}),
      ...(o.signal ? { signal: o.signal } : {}),
      onEpoch,
    });
    if (prunedAt !== undefined) throw new TrialPruned(prunedAt);
    return (await rankingMetricsAtKParallel(model, train, validation, { k, threads: o.threads ?? availableParallelism() })).ndcg;
  }
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
