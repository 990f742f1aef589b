import { describe, expect, it } from 'vitest';
import { compileOnlyWarehouseDialect, parametersOf, quotedFor, recordingDb, sqlOf, SQL_DIALECTS, type SqlDialect } from '../../test/support/compiled-sql.ts';
import { KEY_CHUNK } from './key-chunks.ts';
import { TrackingRepo } from './tracking-repo.ts';

/** Compiled SQL of experiment tracking's statements on both backends (executed by test/integration/registry.test.ts). */
describe.each(SQL_DIALECTS)('TrackingRepo SQL on %s', (dialect: SqlDialect) => {
  const q = (text: string) => quotedFor(dialect, text);
  const open = () => {
    const { db, statements } = recordingDb(dialect);
    return { repo: new TrackingRepo({ db, dialect: compileOnlyWarehouseDialect() }), statements };
  };

  it('reads what a data snapshot describes: loaded files by digest, newest reservation', async () => {
    const { repo, statements } = open();
    expect(await repo.loadedData()).toEqual({ fileDigests: [], newestEvent: null });
    expect(sqlOf(statements)).toEqual([
      q('select "sha256" from "ingest_file" where "status" = ? order by "sha256"'),
      q('select max("reserved_at") as "t" from "fact_reservation"'),
    ]);
    expect(parametersOf(statements)).toEqual([['loaded'], []]);
  });

  it('creates an experiment when missing, then records and finishes a run', async () => {
    const { repo, statements } = open();
    await repo.findOrCreateExperiment('als', 't0');
    await repo.insertRun({
      runId: 'r1',
      experimentId: 4,
      runType: 'train',
      modelKind: 'als',
      status: 'running',
      paramsJson: '{}',
      codeVersion: 'pickwise@0.1.0',
      dataFiles: 3,
      dataFingerprint: 'ab',
      dataInteractions: 10,
      dataNewestEvent: null,
      startedAt: 't0',
      finishedAt: null,
      seconds: null,
      artifactPrefix: null,
    });
    await repo.finishRun('r1', { status: 'finished', seconds: 1.5, finishedAt: 't1' });
    await repo.runStatus('r1');
    expect(sqlOf(statements)).toEqual([
      q('select "experiment_id" from "track_experiment" where "name" = ?'),
      q('insert into "track_experiment" ("name", "created_at") values (?, ?)'),
      q('select "experiment_id" from "track_experiment" where "name" = ?'),
      q(
        'insert into "track_run" ("run_id", "experiment_id", "run_type", "model_kind", "status", "params_json", "code_version", "data_files", ' +
          '"data_fingerprint", "data_interactions", "data_newest_event", "started_at", "finished_at", "seconds", "artifact_prefix") ' +
          'values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      q('update "track_run" set "status" = ?, "seconds" = ?, "finished_at" = ? where "run_id" = ?'),
      q('select "status" from "track_run" where "run_id" = ?'),
    ]);
    expect(parametersOf(statements)[4]).toEqual(['finished', 1.5, 't1', 'r1']);
  });

  it('replaces metrics of the same names at a step, and records artifacts with their prefix', async () => {
    const { repo, statements } = open();
    await repo.replaceMetrics('r1', 0, [
      { name: 'ndcg', value: 0.3 },
      { name: 'recall', value: 0.5 },
    ]);
    await repo.replaceMetrics('r1', 2, []);
    await repo.recordArtifacts('r1', 'artifacts/r1', [{ objectKey: 'artifacts/r1/model.pwm', sizeBytes: 10, sha256: 'ff' }]);
    await repo.recordArtifacts('r2', 'artifacts/r2', []);
    expect(sqlOf(statements)).toEqual([
      'begin',
      q('delete from "track_metric" where "run_id" = ? and "step" = ? and "name" in (?, ?)'),
      q('insert into "track_metric" ("run_id", "step", "name", "value") values (?, ?, ?, ?), (?, ?, ?, ?)'),
      'commit',
      'begin',
      q('insert into "track_artifact" ("run_id", "object_key", "size_bytes", "sha256") values (?, ?, ?, ?)'),
      q('update "track_run" set "artifact_prefix" = ? where "run_id" = ?'),
      'commit',
      'begin',
      q('update "track_run" set "artifact_prefix" = ? where "run_id" = ?'),
      'commit',
    ]);
    expect(parametersOf(statements).slice(1, 3)).toEqual([
      ['r1', 0, 'ndcg', 'recall'],
      ['r1', 0, 'ndcg', 0.3, 'r1', 0, 'recall', 0.5],
    ]);
  });

  it('lists runs newest first with their experiment, filtered and limited', async () => {
    const { repo, statements } = open();
    await repo.runs({ limit: 20 });
    await repo.runs({ experiment: 'als', runId: 'r1', limit: 1 });
    const runs =
      'select "r".*, "e"."name" as "experiment" from "track_run" as "r" inner join "track_experiment" as "e" on "e"."experiment_id" = "r"."experiment_id"';
    const order = 'order by "r"."started_at" desc, "r"."run_id" desc limit ?';
    expect(sqlOf(statements)).toEqual([q(`${runs} ${order}`), q(`${runs} where "e"."name" = ? and "r"."run_id" = ? ${order}`)]);
    expect(parametersOf(statements)).toEqual([[20], ['als', 'r1', 1]]);
  });

  it('reads final metrics in key chunks, per-step metrics and artifacts in a stable order', async () => {
    const { repo, statements } = open();
    const ids = Array.from({ length: KEY_CHUNK + 1 }, (_, i) => `r${i}`);
    await repo.finalMetrics(ids);
    await repo.stepMetrics('r1');
    await repo.artifacts('r1');
    const inList = (n: number) => new Array<string>(n).fill('?').join(', ');
    expect(sqlOf(statements)).toEqual([
      q(`select * from "track_metric" where "step" = ? and "run_id" in (${inList(KEY_CHUNK)})`),
      q('select * from "track_metric" where "step" = ? and "run_id" in (?)'),
      q('select * from "track_metric" where "run_id" = ? and "step" > ? order by "name", "step"'),
      q('select "object_key", "size_bytes", "sha256" from "track_artifact" where "run_id" = ? order by "object_key"'),
    ]);
    expect(parametersOf(statements)[1]).toEqual([0, `r${KEY_CHUNK}`]);
  });
});
