import { describe, expect, it } from 'vitest';
import { compileOnlyWarehouseDialect, parametersOf, quotedFor, recordingDb, sqlOf, SQL_DIALECTS, type SqlDialect } from '../../test/support/compiled-sql.ts';
import { OrchestrationRepo } from './orchestration-repo.ts';

/** Compiled SQL of orchestration run history on both backends (executed by test/integration/orchestration-store.test.ts). */
describe.each(SQL_DIALECTS)('OrchestrationRepo SQL on %s', (dialect: SqlDialect) => {
  const q = (text: string) => quotedFor(dialect, text);
  const open = () => {
    const { db, statements } = recordingDb(dialect);
    return { repo: new OrchestrationRepo({ db, dialect: compileOnlyWarehouseDialect({ sql: dialect }) }), statements };
  };
  const key = { runId: 'r1', taskId: 'train' };

  it('inserts a run and its tasks in one transaction, and reads runs latest first', async () => {
    const { repo, statements } = open();
    const run = {
      runId: 'r1',
      dagId: 'daily',
      runKey: 'cron@2026-03-02T03:00:00.000Z',
      triggerKind: 'cron',
      logicalTime: 't0',
      state: 'queued',
      confJson: '{}',
      createdAt: 't0',
      startedAt: null,
      endedAt: null,
      deadlineAt: null,
      deadlineAlertedAt: null,
      error: null,
    };
    const task = { ...key, job: 'TRAIN', pool: 'cpu', paramsJson: '{"kind":"als"}', tryNumber: 0, maxTries: 3, state: 'pending' };
    expect(await repo.insertRun(run, [task])).toBe(true);
    await repo.runs({ dagId: 'daily', states: ['queued', 'running'], limit: 5 });
    expect(sqlOf(statements)).toEqual([
      'begin',
      q(
        'insert into "orch_dag_run" ("run_id", "dag_id", "run_key", "trigger_kind", "logical_time", "state", "conf_json", "created_at", "started_at", "ended_at", "deadline_at", "deadline_alerted_at", "error") values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      q(
        'insert into "orch_task_instance" ("run_id", "task_id", "job", "pool", "params_json", "try_number", "max_tries", "state") values (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      'commit',
      q('select * from "orch_dag_run" where "dag_id" = ? and "state" in (?, ?) order by "logical_time" desc, "run_id" desc limit ?'),
    ]);
    expect(parametersOf(statements)[4]).toEqual(['daily', 'queued', 'running', 5]);
  });

  it('moves runs and tasks only from the expected state (and try)', async () => {
    const { repo, statements } = open();
    expect(await repo.updateRun('r1', ['queued'], { state: 'running' }, { startedAtUnlessSet: 't1' })).toBe(false);
    await repo.markDeadlineAlerted('r1', 't2');
    const transition = { key, from: ['running', 'queued'], tryNumber: 2, set: { state: 'up_for_retry', nextTryAt: 't3' }, closeTry: { state: 'failed' } };
    expect(await repo.transitionTask(transition)).toBe(false);
    expect(sqlOf(statements)).toEqual([
      q('update "orch_dag_run" set "state" = ?, "started_at" = coalesce("started_at", ?) where "run_id" = ? and "state" in (?)'),
      q('update "orch_dag_run" set "deadline_alerted_at" = ? where "run_id" = ? and "deadline_alerted_at" is null'),
      'begin',
      q('update "orch_task_instance" set "state" = ?, "next_try_at" = ? where "run_id" = ? and "task_id" = ? and "state" in (?, ?) and "try_number" = ?'),
      'commit',
    ]);
    expect(parametersOf(statements)[3]).toEqual(['up_for_retry', 't3', 'r1', 'train', 'running', 'queued', 2]);
  });

  it('claims, beats and finishes a try only for its worker', async () => {
    const { repo, statements } = open();
    const lease = { key, tryNumber: 1, worker: 'host:1:abcdef', at: 't1', leaseUntil: 't2' };
    await repo.claimTask(lease);
    await repo.heartbeat(lease);
    await repo.finishTask({
      key,
      tryNumber: 1,
      worker: 'host:1:abcdef',
      task: { state: 'success', endedAt: 't3' },
      tryEnd: { state: 'success', endedAt: 't3' },
    });
    await repo.expiredLeases('t4');
    expect(sqlOf(statements)).toEqual([
      'begin',
      q(
        'update "orch_task_instance" set "state" = ?, "worker" = ?, "lease_until" = ?, "heartbeat_at" = ?, "started_at" = ? where "run_id" = ? and "task_id" = ? and "state" = ? and "try_number" = ?',
      ),
      'commit',
      q(
        'update "orch_task_instance" set "lease_until" = ?, "heartbeat_at" = ? where "run_id" = ? and "task_id" = ? and "state" = ? and "try_number" = ? and "worker" = ?',
      ),
      'begin',
      q(
        'update "orch_task_instance" set "state" = ?, "ended_at" = ? where "run_id" = ? and "task_id" = ? and "state" = ? and "try_number" = ? and "worker" = ?',
      ),
      'commit',
      q('select * from "orch_task_instance" where "state" = ? and "lease_until" < ? order by "run_id", "task_id"'),
    ]);
    expect(parametersOf(statements)[3]).toEqual(['t2', 't1', 'r1', 'train', 'running', 1, 'host:1:abcdef']);
  });

  it('appends log lines keeping stored ones, and reads them in order', async () => {
    const { repo, statements } = open();
    const line = { ...key, tryNumber: 1, seq: 1, at: 't1', level: 'info', message: 'hello' };
    await repo.appendLogs([line, { ...line, seq: 2 }]);
    await repo.logs({ key, tryNumber: 1, afterSeq: 1, limit: 100 });
    await repo.tries('r1');
    await repo.setDagState('daily', { paused: 1, changedAt: 't1' });
    const verb = dialect === 'mysql' ? 'insert ignore' : 'insert or ignore';
    expect(sqlOf(statements)).toEqual([
      q(`${verb} into "orch_task_log" ("run_id","task_id","try_number","seq","at","level","message") values (?,?,?,?,?,?,?),(?,?,?,?,?,?,?)`),
      q('select * from "orch_task_log" where "run_id" = ? and "task_id" = ? and "try_number" = ? and "seq" > ? order by "try_number", "seq" limit ?'),
      q('select * from "orch_task_try" where "run_id" = ? order by "task_id", "try_number"'),
      q('update "orch_dag_state" set "paused" = ?, "changed_at" = ? where "dag_id" = ?'),
      q('insert into "orch_dag_state" ("dag_id", "paused", "changed_at", "cron_cursor") values (?, ?, ?, ?)'),
    ]);
  });
});
