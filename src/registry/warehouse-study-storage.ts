import { toUtcText, ConflictError, NotFoundError } from '../shared/index.ts';
import type { Params, StudySpec, StudyStorage, TrialRecord, TrialState } from '../tuning/index.ts';
import { StudyRepo, type Warehouse } from '../warehouse/index.ts';

/** Attempts at taking the next trial number when other processes race for it. */
const NUMBER_ATTEMPTS = 50;

/**
 * Studies in the warehouse (tables tune_study, tune_trial, tune_trial_step; readable with SQL), the warehouse
 * adapter of tuning's {@link StudyStorage} port. Trial numbers are taken with an insert that a unique key guards:
 * a process that loses the race to another takes the next number, so processes on one machine or many can run
 * trials of one study at the same time. The SQL is {@link StudyRepo}'s.
 */
export class WarehouseStudyStorage implements StudyStorage {
  readonly #repo: StudyRepo;
  readonly #now: () => Date;

  constructor(warehouse: Warehouse, now: () => Date = () => new Date()) {
    this.#repo = new StudyRepo(warehouse);
    this.#now = now;
  }

  async openStudy(spec: StudySpec): Promise<{ id: number; spec: StudySpec }> {
    const row = await this.#repo.findOrCreateStudy({ ...spec, createdAt: toUtcText(this.#now()) });
    if (row === undefined) throw new NotFoundError(`study '${spec.name}' could not be created`);
    const { studyId, ...stored } = row;
    return { id: studyId, spec: stored };
  }

  async createTrial(studyId: number, params: Params): Promise<number> {
    const now = toUtcText(this.#now());
    const trial = { studyId, state: 'running', paramsJson: JSON.stringify(params), value: null, startedAt: now, finishedAt: null, heartbeatAt: now } as const;
    const number = await this.#repo.insertNextTrial(trial, NUMBER_ATTEMPTS);
    if (number !== undefined) return number;
    throw new ConflictError(`study ${studyId}: no free trial number after ${NUMBER_ATTEMPTS} attempts (too many processes racing)`);
  }

  async reportIntermediate(studyId: number, trial: number, step: number, value: number): Promise<void> {
    await this.#repo.replaceStep(studyId, { trialNumber: trial, step, value });
  }

  async finishTrial(studyId: number, trial: number, state: Exclude<TrialState, 'running'>, value?: number): Promise<void> {
    await this.#repo.finishTrial(studyId, trial, { state, value: value ?? null, finishedAt: toUtcText(this.#now()) });
  }

  async heartbeat(studyId: number, trial: number): Promise<void> {
    await this.#repo.beat(studyId, trial, toUtcText(this.#now()));
  }

  async failStaleTrials(studyId: number, staleMs: number): Promise<number> {
    const now = this.#now();
    return this.#repo.failSilentTrials(studyId, toUtcText(new Date(now.getTime() - staleMs)), toUtcText(now));
  }

  async trials(studyId: number): Promise<TrialRecord[]> {
    const rows = await this.#repo.trials(studyId);
    const byTrial = new Map<number, (readonly [number, number])[]>();
    for (const s of await this.#repo.steps(studyId)) {
      const list = byTrial.get(s.trialNumber) ?? [];
      list.push([s.step, s.value]);
      byTrial.set(s.trialNumber, list);
    }
    return rows.map((r) => ({
      number: r.trialNumber,
      state: r.state,
      params: JSON.parse(r.paramsJson) as Params,
      ...(r.value === null ? {} : { value: r.value }),
      intermediate: byTrial.get(r.trialNumber) ?? [],
    }));
  }
}
