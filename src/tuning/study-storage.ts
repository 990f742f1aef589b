import { NotFoundError } from '../shared/index.ts';
import type { Direction, Params, TrialRecord, TrialState } from './trial.ts';

/** What identifies a study and how it searches; stored once, checked when a study is resumed. */
export interface StudySpec {
  readonly name: string;
  readonly direction: Direction;
  readonly sampler: string;
  readonly pruner: string;
  readonly seed: number;
}

/**
 * Where studies and trials live. Every method is one atomic change, so several processes can run trials of
 * one study at once: trial numbers come from the storage, never from a process.
 */
export interface StudyStorage {
  /** The study named `spec.name`, created if new; an existing one keeps its stored spec. */
  openStudy(spec: StudySpec): Promise<{ readonly id: number; readonly spec: StudySpec }>;
  /** A new running trial with the next number. */
  createTrial(studyId: number, params: Params): Promise<number>;
  /** Records a trial's value at `step`; reporting a step again replaces it. */
  reportIntermediate(studyId: number, trial: number, step: number, value: number): Promise<void>;
  finishTrial(studyId: number, trial: number, state: Exclude<TrialState, 'running'>, value?: number): Promise<void>;
  trials(studyId: number): Promise<TrialRecord[]>;
  /** A sign of life of a running trial (its process is still working on it). */
  heartbeat(studyId: number, trial: number): Promise<void>;
  /** Marks failed the running trials without a heartbeat for `staleMs` (their process died); returns how many. */
  failStaleTrials(studyId: number, staleMs: number): Promise<number>;
}

/** A study storage in process memory: for tests and throwaway searches. */
export class MemoryStudyStorage implements StudyStorage {
  readonly #studies: { spec: StudySpec; trials: { number: number; state: TrialState; params: Params; value?: number; intermediate: [number, number][] }[] }[] =
    [];

  async openStudy(spec: StudySpec): Promise<{ id: number; spec: StudySpec }> {
    const id = this.#studies.findIndex((s) => s.spec.name === spec.name);
    if (id >= 0) return { id, spec: this.#studies[id]!.spec };
    this.#studies.push({ spec, trials: [] });
    return { id: this.#studies.length - 1, spec };
  }

  async createTrial(studyId: number, params: Params): Promise<number> {
    const study = this.#study(studyId);
    const number = study.trials.length;
    study.trials.push({ number, state: 'running', params: { ...params }, intermediate: [] });
    return number;
  }

  async reportIntermediate(studyId: number, trial: number, step: number, value: number): Promise<void> {
    const steps = this.#trial(studyId, trial).intermediate;
    const at = steps.findIndex(([s]) => s === step);
    if (at >= 0) steps[at] = [step, value];
    else steps.push([step, value]);
  }

  async finishTrial(studyId: number, trial: number, state: Exclude<TrialState, 'running'>, value?: number): Promise<void> {
    const t = this.#trial(studyId, trial);
    t.state = state;
    if (value !== undefined) t.value = value;
  }

  async heartbeat(): Promise<void> {
    // One process owns the memory: its trials cannot outlive it.
  }

  async failStaleTrials(): Promise<number> {
    return 0;
  }

  async trials(studyId: number): Promise<TrialRecord[]> {
    return this.#study(studyId).trials.map((t) => ({ ...t, intermediate: t.intermediate.map(([s, v]) => [s, v] as const) }));
  }

  #study(id: number) {
    const study = this.#studies[id];
    if (study === undefined) throw new NotFoundError(`no study ${id}`);
    return study;
  }

  #trial(studyId: number, number: number) {
    const trial = this.#study(studyId).trials[number];
    if (trial === undefined) throw new NotFoundError(`study ${studyId} has no trial ${number}`);
    return trial;
  }
}
