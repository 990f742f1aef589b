import { describe, expect, it } from 'vitest';
import { compileOnlyWarehouseDialect, parametersOf, quotedFor, recordingDb, sqlOf, SQL_DIALECTS, type SqlDialect } from '../../test/support/compiled-sql.ts';
import { StudyRepo } from './study-repo.ts';

/** Compiled SQL of hyperparameter studies on both backends (executed by test/integration/study-storage.test.ts). */
describe.each(SQL_DIALECTS)('StudyRepo SQL on %s', (dialect: SqlDialect) => {
  const q = (text: string) => quotedFor(dialect, text);
  const open = () => {
    const { db, statements } = recordingDb(dialect);
    return { repo: new StudyRepo({ db, dialect: compileOnlyWarehouseDialect() }), statements };
  };

  it('finds a study by name, creating it when missing', async () => {
    const { repo, statements } = open();
    await repo.findOrCreateStudy({ name: 'als-search', direction: 'maximize', sampler: 'tpe', pruner: 'median', seed: 7, createdAt: 't0' });
    expect(sqlOf(statements)).toEqual([
      q('select * from "tune_study" where "name" = ?'),
      q('insert into "tune_study" ("name", "direction", "sampler", "pruner", "seed", "created_at") values (?, ?, ?, ?, ?, ?)'),
      q('select * from "tune_study" where "name" = ?'),
    ]);
    expect(parametersOf(statements)[1]).toEqual(['als-search', 'maximize', 'tpe', 'median', 7, 't0']);
  });

  it('numbers a trial after the highest of its study, from 0', async () => {
    const { repo, statements } = open();
    const trial = { studyId: 5, state: 'running', paramsJson: '{"factors":64}', value: null, startedAt: 't0', finishedAt: null, heartbeatAt: 't0' } as const;
    expect(await repo.insertNextTrial(trial, 3)).toBe(0);
    expect(sqlOf(statements)).toEqual([
      q('select max("trial_number") as "n" from "tune_trial" where "study_id" = ?'),
      q(
        'insert into "tune_trial" ("study_id", "state", "params_json", "value", "started_at", "finished_at", "heartbeat_at", "trial_number") values (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    ]);
    expect(parametersOf(statements)[1]).toEqual([5, 'running', '{"factors":64}', null, 't0', null, 't0', 0]);
  });

  it('replaces a reported step, finishes trials, beats only running ones, and fails the silent', async () => {
    const { repo, statements } = open();
    await repo.replaceStep(5, { trialNumber: 2, step: 3, value: 0.25 });
    await repo.finishTrial(5, 2, { state: 'complete', value: 0.25, finishedAt: 't2' });
    await repo.beat(5, 3, 't3');
    await repo.failSilentTrials(5, 't0', 't4');
    expect(sqlOf(statements)).toEqual([
      q('update "tune_trial_step" set "value" = ? where "study_id" = ? and "trial_number" = ? and "step" = ?'),
      q('insert into "tune_trial_step" ("study_id", "trial_number", "step", "value") values (?, ?, ?, ?)'),
      q('update "tune_trial" set "state" = ?, "value" = ?, "finished_at" = ? where "study_id" = ? and "trial_number" = ?'),
      q('update "tune_trial" set "heartbeat_at" = ? where "study_id" = ? and "trial_number" = ? and "state" = ?'),
      q('update "tune_trial" set "state" = ?, "finished_at" = ? where "study_id" = ? and "state" = ? and ("heartbeat_at" < ? or "heartbeat_at" is null)'),
    ]);
    expect(parametersOf(statements)).toEqual([
      [0.25, 5, 2, 3],
      [5, 2, 3, 0.25],
      ['complete', 0.25, 't2', 5, 2],
      ['t3', 5, 3, 'running'],
      ['failed', 't4', 5, 'running', 't0'],
    ]);
  });

  it('reads trials and their steps in order', async () => {
    const { repo, statements } = open();
    await repo.trials(5);
    await repo.steps(5);
    expect(sqlOf(statements)).toEqual([
      q('select "trial_number", "state", "params_json", "value" from "tune_trial" where "study_id" = ? order by "trial_number"'),
      q('select "trial_number", "step", "value" from "tune_trial_step" where "study_id" = ? order by "trial_number", "step"'),
    ]);
  });
});
