import { describe, expect, it } from 'vitest';
import { compileOnlyWarehouseDialect, parametersOf, quotedFor, recordingDb, sqlOf, SQL_DIALECTS, type SqlDialect } from '../../test/support/compiled-sql.ts';
import { RegistryRepo } from './registry-repo.ts';

/** Compiled SQL of the model registry's statements on both backends (executed by test/integration/registry.test.ts). */
describe.each(SQL_DIALECTS)('RegistryRepo SQL on %s', (dialect: SqlDialect) => {
  const q = (text: string) => quotedFor(dialect, text);
  const open = () => {
    const { db, statements } = recordingDb(dialect);
    return { repo: new RegistryRepo({ db, dialect: compileOnlyWarehouseDialect() }), statements };
  };

  it('numbers a new version after the highest one of its model', async () => {
    const { repo, statements } = open();
    expect(await repo.insertNextVersion({ modelName: 'shop', runId: 'r1', status: 'active', createdAt: '2026-01-01 00:00:00.000' }, 3)).toBe(1);
    expect(sqlOf(statements)).toEqual([
      q('select max("version") as "v" from "registry_version" where "model_name" = ?'),
      q('insert into "registry_version" ("model_name", "run_id", "status", "created_at", "version") values (?, ?, ?, ?, ?)'),
    ]);
    expect(parametersOf(statements)).toEqual([['shop'], ['shop', 'r1', 'active', '2026-01-01 00:00:00.000', 1]]);
  });

  it('reads names, versions, aliases and the audit trail in a stable order', async () => {
    const { repo, statements } = open();
    await repo.names();
    await repo.versions('shop');
    await repo.version('shop', 2);
    await repo.exists('shop');
    await repo.aliases('shop');
    await repo.aliases('shop', 2);
    await repo.aliasTarget('shop', 'champion');
    await repo.events('shop');
    expect(sqlOf(statements)).toEqual([
      q('select distinct "model_name" from "registry_version" order by "model_name"'),
      q('select "version", "run_id", "status", "created_at" from "registry_version" where "model_name" = ? order by "version"'),
      q('select "version", "run_id", "status", "created_at" from "registry_version" where "model_name" = ? and "version" = ?'),
      q('select "version" from "registry_version" where "model_name" = ? limit ?'),
      q('select "alias", "version" from "registry_alias" where "model_name" = ? order by "alias"'),
      q('select "alias", "version" from "registry_alias" where "model_name" = ? and "version" = ? order by "alias"'),
      q('select "version" from "registry_alias" where "model_name" = ? and "alias" = ?'),
      q('select "action", "version", "alias", "previous_version", "actor", "reason", "at" from "registry_event" where "model_name" = ? order by "event_id"'),
    ]);
    expect(parametersOf(statements).slice(1, 4)).toEqual([['shop'], ['shop', 2], ['shop', 1]]);
  });

  it('moves an alias by replacing its row, archives by status, and appends events', async () => {
    const { repo, statements } = open();
    await repo.moveAlias({ name: 'shop', alias: 'champion', version: 3, updatedAt: 't1' });
    await repo.setStatus('shop', 1, 'archived');
    await repo.insertEvent('shop', { action: 'promote', version: 3, alias: 'champion', previousVersion: 2, actor: 'ana', reason: 'better', at: 't1' });
    expect(sqlOf(statements)).toEqual([
      'begin',
      q('delete from "registry_alias" where "model_name" = ? and "alias" = ?'),
      q('insert into "registry_alias" ("model_name", "alias", "version", "updated_at") values (?, ?, ?, ?)'),
      'commit',
      q('update "registry_version" set "status" = ? where "model_name" = ? and "version" = ?'),
      q(
        'insert into "registry_event" ("model_name", "action", "version", "alias", "previous_version", "actor", "reason", "at") values (?, ?, ?, ?, ?, ?, ?, ?)',
      ),
    ]);
    expect(parametersOf(statements)).toEqual([
      [],
      ['shop', 'champion'],
      ['shop', 'champion', 3, 't1'],
      [],
      ['archived', 'shop', 1],
      ['shop', 'promote', 3, 'champion', 2, 'ana', 'better', 't1'],
    ]);
  });
});
