import type { Insertable } from 'kysely';
import type { Warehouse } from './open-warehouse.ts';
import type { TuneStudyTable, TuneTrialTable } from './schema.ts';

/** A stored study (tune_study), numbers as numbers on every backend. */
export interface StudyRow {
  readonly studyId: number;
  readonly name: string;
  readonly direction: TuneStudyTable['direction'];
  readonly sampler: string;
  readonly pruner: string;
  readonly seed: number;
}

/** A stored trial (tune_trial); `paramsJson` as written. */
export interface TrialRow {
  readonly trialNumber: number;
  readonly state: TuneTrialTable['state'];
  readonly paramsJson: string;
  readonly value: number | null;
}

/** One intermediate value of a trial (tune_trial_step). */
export interface TrialStepRow {
  readonly trialNumber: number;
  readonly step: number;
  readonly value: number;
}

/**
 * The SQL of hyperparameter studies (tune_study, tune_trial, tune_trial_step). Statements that several
 * processes may race on (creating a study, numbering a trial) rely on the tables' unique keys through the
 * dialect's race helpers, so processes on one machine or many can run trials of one study at once.
 */
export class StudyRepo {
  readonly #warehouse: Pick<Warehouse, 'db' | 'dialect'>;

  constructor(warehouse: Pick<Warehouse, 'db' | 'dialect'>) {
    this.#warehouse = warehouse;
  }

  /** A write statement, run again when the server picked it as a deadlock victim (trials of one study race). */
  #write<T>(statement: () => Promise<T>): Promise<T> {
    return this.#warehouse.dialect.retryingDeadlocks(statement);
  }

  /** The study named `study.name`, inserted from `study` when there is none (a concurrent creator's row wins). */
  async findOrCreateStudy(study: Insertable<TuneStudyTable>): Promise<StudyRow | undefined> {
    const { db, dialect } = this.#warehouse;
    const row = await dialect.findOrCreate(
      () => db.selectFrom('tuneStudy').selectAll().where('name', '=', study.name).executeTakeFirst(),
      () => this.#write(() => db.insertInto('tuneStudy').values(study).execute()),
    );
    return row && { studyId: Number(row.studyId), name: row.name, direction: row.direction, sampler: row.sampler, pruner: row.pruner, seed: Number(row.seed) };
  }

  /**
   * Inserts `trial` under the next number of its study (0 for the first), taking the following number when another
   * process took that one first, at most `attempts` times. Returns the number, or undefined when every attempt lost.
   */
  insertNextTrial(trial: Omit<Insertable<TuneTrialTable>, 'trialNumber'>, attempts: number): Promise<number | undefined> {
    const { db, dialect } = this.#warehouse;
    return dialect.insertNextNumber({
      first: 0,
      attempts,
      highest: async () => {
        const top = await db
          .selectFrom('tuneTrial')
          .select((eb) => eb.fn.max('trialNumber').as('n'))
          .where('studyId', '=', trial.studyId)
          .executeTakeFirst();
        return top?.n === null || top?.n === undefined ? null : Number(top.n);
      },
      insert: (trialNumber) =>
        this.#write(() =>
          db
            .insertInto('tuneTrial')
            .values({ ...trial, trialNumber })
            .execute(),
        ),
    });
  }

  /**
   * Writes a trial's value at `step`, replacing one reported for that step before. Single autocommit statements
   * (update, else insert, else update after a concurrent insert won): no transaction holds a gap lock another
   * process's insert could deadlock on.
   */
  async replaceStep(studyId: number, step: TrialStepRow): Promise<void> {
    const { db, dialect } = this.#warehouse;
    const update = () =>
      this.#write(() =>
        db
          .updateTable('tuneTrialStep')
          .set({ value: step.value })
          .where('studyId', '=', studyId)
          .where('trialNumber', '=', step.trialNumber)
          .where('step', '=', step.step)
          .executeTakeFirst(),
      );
    if (Number((await update()).numUpdatedRows) > 0) return;
    if (
      await dialect.insertUnlessDuplicate(() =>
        this.#write(() =>
          db
            .insertInto('tuneTrialStep')
            .values({ studyId, ...step })
            .execute(),
        ),
      )
    )
      return;
    await update();
  }

  async finishTrial(studyId: number, trialNumber: number, end: { state: TuneTrialTable['state']; value: number | null; finishedAt: string }): Promise<void> {
    await this.#write(() =>
      this.#warehouse.db.updateTable('tuneTrial').set(end).where('studyId', '=', studyId).where('trialNumber', '=', trialNumber).execute(),
    );
  }

  /** Records a running trial's heartbeat; a trial no longer running is left as it is. */
  async beat(studyId: number, trialNumber: number, at: string): Promise<void> {
    await this.#write(() =>
      this.#warehouse.db
        .updateTable('tuneTrial')
        .set({ heartbeatAt: at })
        .where('studyId', '=', studyId)
        .where('trialNumber', '=', trialNumber)
        .where('state', '=', 'running')
        .execute(),
    );
  }

  /** Marks failed (at `finishedAt`) the study's running trials with no heartbeat since `before`; returns how many. */
  async failSilentTrials(studyId: number, before: string, finishedAt: string): Promise<number> {
    const result = await this.#write(() =>
      this.#warehouse.db
        .updateTable('tuneTrial')
        .set({ state: 'failed', finishedAt })
        .where('studyId', '=', studyId)
        .where('state', '=', 'running')
        .where((eb) => eb.or([eb('heartbeatAt', '<', before), eb('heartbeatAt', 'is', null)]))
        .executeTakeFirst(),
    );
    return Number(result.numUpdatedRows ?? 0);
  }

  /** The study's trials by number. */
  async trials(studyId: number): Promise<TrialRow[]> {
    const rows = await this.#warehouse.db
      .selectFrom('tuneTrial')
      .select(['trialNumber', 'state', 'paramsJson', 'value'])
      .where('studyId', '=', studyId)
      .orderBy('trialNumber')
      .execute();
    return rows.map((r) => ({
      trialNumber: Number(r.trialNumber),
      state: r.state,
      paramsJson: r.paramsJson,
      value: r.value === null ? null : Number(r.value),
    }));
  }

  /** The intermediate values of the study's trials, by trial then step. */
  async steps(studyId: number): Promise<TrialStepRow[]> {
    const rows = await this.#warehouse.db
      .selectFrom('tuneTrialStep')
      .select(['trialNumber', 'step', 'value'])
      .where('studyId', '=', studyId)
      .orderBy('trialNumber')
      .orderBy('step')
      .execute();
    return rows.map((r) => ({ trialNumber: Number(r.trialNumber), step: Number(r.step), value: Number(r.value) }));
  }
}
