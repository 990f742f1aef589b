import { toUtcText } from '../preprocess/index.ts';
import { NotFoundError } from '../shared/errors.ts';
import type { Warehouse } from '../warehouse/index.ts';
import type { StudySpec, StudyStorage } from './study-storage.ts';
import type { Params, TrialRecord, TrialState } from './trial.ts';

/** Attempts at taking the next trial number when other processes race for it. */
const NUMBER_ATTEMPTS = 50;

/**
 * Studies in the warehouse (tables tune_study, tune_trial, tune_trial_step; readable with SQL). Trial numbers
 * are taken with an insert that a unique key guards: a process that loses the race to another takes the next
 * number, so processes on one machine or many can run trials of one study at the same time.
 */
export class WarehouseStudyStorage implements StudyStorage {
  readonly #warehouse: Warehouse;
  readonly #now: () => Date;

  constructor(warehouse: Warehouse, now: () => Date = () => new Date()) {
    this.#warehouse = warehouse;
    this.#now = now;
  }

  async openStudy(spec: StudySpec): Promise<{ id: number; spec: StudySpec }> {
    const { db, dialect } = this.#warehouse;
    const row = await dialect.findOrCreate(
      () => db.selectFrom('tuneStudy').selectAll().where('name', '=', spec.name).executeTakeFirst(),
      () => db.insertInto('tuneStudy').values({ name: spec.name, direction: spec.direction, sampler: spec.sampler, pruner: spec.pruner, seed: spec.seed, createdAt: toUtcText(this.#now()) }).execute(),
    );
    if (row === undefined) throw new NotFoundError(`study '${spec.name}' could not be created`);
    return {
      id: Number(row.studyId),
      spec: { name: row.name, direction: row.direction, sampler: row.sampler, pruner: row.pruner, seed: Number(row.seed) },
    };
  }

  async createTrial(studyId: number, params: Params): Promise<number> {
    const { db, dialect } = this.#warehouse;
    const number = await dialect.insertNextNumber({
      first: 0,
      attempts: NUMBER_ATTEMPTS,
      highest: async () => {
        const top = await db.selectFrom('tuneTrial').select((eb) => eb.fn.max('trialNumber').as('n')).where('studyId', '=', studyId).executeTakeFirst();
        return top?.n === null || top?.n === undefined ? null : Number(top.n);
      },
      insert: (trialNumber) => {
        const now = toUtcText(this.#now());
        return db.insertInto('tuneTrial').values({ studyId, trialNumber, state: 'running', paramsJson: JSON.stringify(params), value: null, startedAt: now, finishedAt: null, heartbeatAt: now }).execute();
      },
    });
    if (number !== undefined) return number;
    throw new Error(`study ${studyId}: no free trial number after ${NUMBER_ATTEMPTS} attempts (too many processes racing)`);
  }

  async reportIntermediate(studyId: number, trial: number, step: number, value: number): Promise<void> {
    const { db } = this.#warehouse;
    await db.deleteFrom('tuneTrialStep').where('studyId', '=', studyId).where('trialNumber', '=', trial).where('step', '=', step).execute();
    await db.insertInto('tuneTrialStep').values({ studyId, trialNumber: trial, step, value }).execute();
  }

  async finishTrial(studyId: number, trial: number, state: Exclude<TrialState, 'running'>, value?: number): Promise<void> {
    await this.#warehouse.db
      .updateTable('tuneTrial')
      .set({ state, value: value ?? null, finishedAt: toUtcText(this.#now()) })
      .where('studyId', '=', studyId)
      .where('trialNumber', '=', trial)
      .execute();
  }

  async heartbeat(studyId: number, trial: number): Promise<void> {
    await this.#warehouse.db.updateTable('tuneTrial').set({ heartbeatAt: toUtcText(this.#now()) }).where('studyId', '=', studyId).where('trialNumber', '=', trial).where('state', '=', 'running').execute();
  }

  async failStaleTrials(studyId: number, staleMs: number): Promise<number> {
    const before = toUtcText(new Date(this.#now().getTime() - staleMs));
    const result = await this.#warehouse.db
      .updateTable('tuneTrial')
      .set({ state: 'failed', finishedAt: toUtcText(this.#now()) })
      .where('studyId', '=', studyId)
      .where('state', '=', 'running')
      .where((eb) => eb.or([eb('heartbeatAt', '<', before), eb('heartbeatAt', 'is', null)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows ?? 0);
  }

  async trials(studyId: number): Promise<TrialRecord[]> {
    const { db } = this.#warehouse;
    const rows = await db.selectFrom('tuneTrial').selectAll().where('studyId', '=', studyId).orderBy('trialNumber').execute();
    const steps = await db.selectFrom('tuneTrialStep').selectAll().where('studyId', '=', studyId).orderBy('trialNumber').orderBy('step').execute();
    const byTrial = new Map<number, (readonly [number, number])[]>();
    for (const s of steps) {
      const list = byTrial.get(Number(s.trialNumber)) ?? [];
      list.push([Number(s.step), Number(s.value)]);
      byTrial.set(Number(s.trialNumber), list);
    }
    return rows.map((r) => ({
      number: Number(r.trialNumber),
      state: r.state,
      params: JSON.parse(r.paramsJson) as Params,
      ...(r.value === null ? {} : { value: Number(r.value) }),
      intermediate: byTrial.get(Number(r.trialNumber)) ?? [],
    }));
  }
}
