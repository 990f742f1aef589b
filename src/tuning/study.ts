import { Rng, ValidationError } from '../shared/index.ts';
import { NopPruner, type Pruner } from './pruner.ts';
import type { Sampler, Space } from './sampler.ts';
import type { StudyStorage, StudySpec } from './study-storage.ts';
import { TpeSampler } from './tpe-sampler.ts';
import { lossOf, type Direction, type Params, type TrialRecord } from './trial.ts';

/** How often a running trial signs life, and after how long without a sign it counts as dead. */
export const HEARTBEAT_MS = 30_000;
export const STALE_TRIAL_MS = 5 * 60_000;

/** What an objective gets: the trial's parameters, and a way to report progress and hear about pruning. */
export interface TrialHandle {
  readonly number: number;
  readonly params: Params;
  /**
   * Records an intermediate value (e.g. validation NDCG after an epoch) and says whether the pruner wants the
   * trial stopped; the objective then stops and throws {@link TrialPruned} (or returns its value so far).
   */
  report(step: number, value: number): boolean;
}

export type Objective = (trial: TrialHandle) => Promise<number>;

/** Thrown by an objective that stops because {@link TrialHandle.report} said so. */
export class TrialPruned extends Error {
  constructor(step: number) {
    super(`pruned at step ${step}`);
    this.name = 'TrialPruned';
  }
}

export interface StudyOptions {
  readonly storage: StudyStorage;
  readonly name: string;
  readonly space: Space;
  readonly direction: Direction;
  readonly sampler?: Sampler;
  readonly pruner?: Pruner;
  /** Seed of the sampler: trial n draws from a stream derived from (seed, n). Default 0. */
  readonly seed?: number;
}

export interface OptimizeOptions {
  /** Trials this call runs (others may run concurrently in other processes). */
  readonly trials: number;
  /** No new trial starts after this many milliseconds. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** After each trial of this call, with the study's best trial so far. */
  readonly onTrial?: (trial: TrialRecord, best: TrialRecord | undefined) => void;
}

/**
 * A hyperparameter search (the seed's Optuna study): trials are proposed by the sampler from the study's stored
 * history, run by the objective, and recorded in the storage, so a study resumes after a crash and several
 * processes can add trials to it at the same time.
 */
export class Study {
  readonly id: number;
  readonly spec: StudySpec;
  readonly space: Space;
  readonly #storage: StudyStorage;
  readonly #sampler: Sampler;
  readonly #pruner: Pruner;

  private constructor(id: number, spec: StudySpec, o: StudyOptions, sampler: Sampler, pruner: Pruner) {
    this.id = id;
    this.spec = spec;
    this.space = o.space;
    this.#storage = o.storage;
    this.#sampler = sampler;
    this.#pruner = pruner;
  }

  /** Opens (or creates) the study; a resumed study must agree on direction. */
  static async open(o: StudyOptions): Promise<Study> {
    const sampler = o.sampler ?? new TpeSampler();
    const pruner = o.pruner ?? new NopPruner();
    const seed = o.seed ?? 0;
    if (!Number.isSafeInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new ValidationError(`study seed must be an integer in [0, 2^32), got ${seed}`);
    const { id, spec } = await o.storage.openStudy({ name: o.name, direction: o.direction, sampler: sampler.name, pruner: pruner.name, seed });
    if (spec.direction !== o.direction) {
      throw new ValidationError(
        `study '${o.name}' exists and ${spec.direction === 'maximize' ? 'maximizes' : 'minimizes'}; it cannot be resumed to ${o.direction}`,
      );
    }
    return new Study(id, spec, o, sampler, pruner);
  }

  trials(): Promise<TrialRecord[]> {
    return this.#storage.trials(this.id);
  }

  /** The complete trial with the best value (ties: the earlier). */
  async best(): Promise<TrialRecord | undefined> {
    return bestTrial(await this.trials(), this.spec.direction);
  }

  /**
   * Runs trials one after another until `trials` ran, the time is up or the signal aborts. Trials that a dead
   * process left running (no heartbeat for {@link STALE_TRIAL_MS}) are marked failed first.
   */
  async optimize(objective: Objective, o: OptimizeOptions): Promise<void> {
    const started = performance.now();
    await this.#storage.failStaleTrials(this.id, STALE_TRIAL_MS);
    for (let run = 0; run < o.trials; run++) {
      if (o.signal?.aborted) return;
      if (o.timeoutMs !== undefined && performance.now() - started >= o.timeoutMs) return;
      const trial = await this.#runTrial(objective);
      if (o.onTrial) o.onTrial(trial, await this.best());
    }
  }

  async #runTrial(objective: Objective): Promise<TrialRecord> {
    const history = await this.#storage.trials(this.id);
    // The stream depends on the number the trial will most likely get; the storage's number is what counts.
    const rng = new Rng(this.spec.seed * 1_048_576 + history.length);
    const params = this.#sampler.sample(this.space, history, this.spec.direction, rng);
    const number = await this.#storage.createTrial(this.id, params);
    const intermediate: [number, number][] = [];
    const writes: Promise<void>[] = [];
    const handle: TrialHandle = {
      number,
      params,
      report: (step, value) => {
        intermediate.push([step, value]);
        writes.push(this.#storage.reportIntermediate(this.id, number, step, value));
        return this.#pruner.shouldPrune({ number, intermediate }, history, this.spec.direction);
      },
    };
    let state: 'complete' | 'pruned' | 'failed';
    let value: number | undefined;
    const beat = setInterval(() => void this.#storage.heartbeat(this.id, number).catch(() => undefined), HEARTBEAT_MS);
    beat.unref();
    try {
      value = await objective(handle);
      state = Number.isFinite(value) ? 'complete' : 'failed';
    } catch (error) {
      if (!(error instanceof TrialPruned)) {
        await Promise.all(writes);
        await this.#storage.finishTrial(this.id, number, 'failed');
        throw error;
      }
      state = 'pruned';
      value = undefined;
    } finally {
      clearInterval(beat);
    }
    await Promise.all(writes);
    await this.#storage.finishTrial(this.id, number, state, state === 'complete' ? value : undefined);
    return { number, state, params, ...(state === 'complete' ? { value: value! } : {}), intermediate };
  }
}

export function bestTrial(trials: readonly TrialRecord[], direction: Direction): TrialRecord | undefined {
  let best: TrialRecord | undefined;
  for (const t of trials) {
    if (t.state !== 'complete' || t.value === undefined) continue;
    if (best === undefined || lossOf(t.value, direction) < lossOf(best.value!, direction)) best = t;
  }
  return best;
}
