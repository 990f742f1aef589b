import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../src/warehouse/index.ts';
import { runCli } from '../support/run-cli.ts';

type Result = {
  basis: string;
  recommendations: { rank: number; serviceId: string; name: string | null; category: string | null }[];
  warnings: { code: string; message: string }[];
};

/** `pickwise recommend --user` as a user runs it: names beside ids, and filters that say when they match nothing. */
describe('pickwise recommend --user', () => {
  let cwd: string;
  let services: Map<string, { name: string; category: string; region: string }>;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-recommend-'));
    expect((await runCli(['generate', '--users', '150', '--services', '24', '--reservations', '2500'], { cwd })).code).toBe(0);
    expect((await runCli(['ingest'], { cwd })).code).toBe(0);
    const trained = await runCli(['train', '--algo', 'item-knn'], { cwd });
    expect(trained.code, trained.stderr).toBe(0);
    const lines = (await readFile(path.join(cwd, '.pickwise/bucket/landing/services.csv'), 'utf8')).trim().split('\n').slice(1);
    // Generated names may hold quoted commas: the id is first, then the name up to the category column.
    services = new Map(
      lines.map((l) => {
        const [, id, name, category, region] = /^([^,]+),("(?:[^"]|"")*"|[^,]*),([^,]+),([^,]*),/.exec(l)!;
        return [id!, { name: name!.startsWith('"') ? name!.slice(1, -1).replace(/""/g, '"') : name!, category: category!, region: region! }];
      }),
    );
  });
  afterAll(async () => rm(cwd, { recursive: true, force: true }));

  it('shows each service with its name and category (text and --json)', async () => {
    const json = await runCli(['--json', 'recommend', '--user', 'U0000002', '--k', '3'], { cwd });
    expect(json.code, json.stderr).toBe(0);
    const r = JSON.parse(json.stdout) as Result;
    expect(r.recommendations).toHaveLength(3);
    for (const x of r.recommendations)
      expect({ name: x.name, category: x.category }).toEqual({ name: services.get(x.serviceId)!.name, category: services.get(x.serviceId)!.category });
    expect(r.warnings).toEqual([]);
    const text = await runCli(['recommend', '--user', 'U0000002', '--k', '3'], { cwd });
    const first = r.recommendations[0]!;
    expect(text.stdout).toContain(`1. ${first.serviceId}  ${first.name} (${first.category})`);
  });

  it('filters by category and region, and says so (exit 4) when a filter is unknown or matches nothing', async () => {
    const some = [...services.values()][0]!;
    const ok = JSON.parse((await runCli(['--json', 'recommend', '--user', 'U0000002', '--category', some.category, '--k', '50'], { cwd })).stdout) as Result;
    expect(ok.recommendations.every((x) => x.category === some.category)).toBe(true);

    const typo = await runCli(['recommend', '--user', 'U0000002', '--category', 'no-such-category'], { cwd });
    expect(typo.code).toBe(4);
    expect(typo.stdout).toMatch(/\(nothing to recommend\)\nwarning: no category 'no-such-category' in the warehouse \(known: .+\) \[UNKNOWN_CATEGORY\]/);
    const region = JSON.parse((await runCli(['--json', 'recommend', '--user', 'U0000002', '--region', some.region.toUpperCase()], { cwd })).stdout) as Result;
    expect(region.warnings).toEqual([
      { code: 'UNKNOWN_REGION', message: `no region '${some.region.toUpperCase()}' in the warehouse; did you mean '${some.region}'?` },
    ]);

    const all = [...services.values()];
    const pair = [...new Set(all.map((s) => s.category))]
      .flatMap((c) => [...new Set(all.map((s) => s.region))].map((g) => [c, g] as const))
      .find(([c, g]) => !all.some((s) => s.category === c && s.region === g))!;
    const none = await runCli(['--json', 'recommend', '--user', 'U0000002', '--category', pair[0], '--region', pair[1]], { cwd });
    expect(none.code).toBe(4);
    expect((JSON.parse(none.stdout) as Result).warnings.map((w) => w.code)).toEqual(['NO_MATCHING_SERVICE']);

    const mixed = await runCli(['recommend', '--all', '--out', path.join(cwd, 'x.csv'), '--category', some.category], { cwd });
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/--category and --region filter one user's list/);
  });

  it("still answers without names when the warehouse cannot be read, and says why; --all's CSV keeps its columns", async () => {
    const away = await runCli(['--json', 'recommend', '--user', 'U0000002', '--k', '2', '--database-url', 'mysql://nobody:x@127.0.0.1:1/none'], { cwd });
    expect(away.code, away.stderr).toBe(0);
    const r = JSON.parse(away.stdout) as Result;
    expect(r.recommendations.map((x) => [x.name, x.category])).toEqual([
      [null, null],
      [null, null],
    ]);
    expect(r.warnings).toEqual([
      {
        code: 'CATALOG_STALE',
        message: expect.stringMatching(
          /^service names and categories are missing: the warehouse could not be read \(cannot reach the database mysql:\/\/nobody:\*\*\*@127\.0\.0\.1:1\/none/,
        ),
      },
      {
        code: 'HISTORY_STALE',
        message: expect.stringMatching(
          /^reservations loaded since the model was trained could not be read \(cannot reach the database [\s\S]*\): the list is as trained$/,
        ),
      },
    ]);
    const out = path.join(cwd, 'all.csv');
    expect((await runCli(['recommend', '--all', '--k', '2', '--out', out], { cwd })).code).toBe(0);
    expect((await readFile(out, 'utf8')).split('\n')[0]).toBe('user_id,item_id,rank,score');
  });

  it('recommend --all --record records every list as served under one batch id, and the file carries each list id', async () => {
    const out = path.join(cwd, 'campaign.csv');
    const r = await runCli(['--json', 'recommend', '--all', '--k', '4', '--out', out, '--record', '--model', 'item-knn@v1'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const { batchId, users, rows } = JSON.parse(r.stdout) as { batchId: string; users: number; rows: number };
    const [header, ...lines] = (await readFile(out, 'utf8')).trim().split('\n');
    expect(header).toBe('user_id,item_id,rank,score,recommendation_id');
    expect(lines).toHaveLength(rows);
    const idOfUser = new Map<string, Set<string>>();
    for (const line of lines) {
      const [user, , , , id] = line.split(',');
      idOfUser.set(user!, (idOfUser.get(user!) ?? new Set()).add(id!));
    }
    expect(idOfUser.size).toBe(users);
    expect([...idOfUser.values()].every((ids) => ids.size === 1)).toBe(true);

    const warehouse = await openWarehouse({ url: `sqlite:${path.join(cwd, '.pickwise', 'pickwise.db')}` });
    try {
      const lists = await warehouse.db.selectFrom('recList').selectAll().where('batchId', '=', batchId).execute();
      expect(lists).toHaveLength(users);
      expect(new Set(lists.map((l) => `${l.source} ${l.modelName} v${l.registryVersion} k=${l.k}`))).toEqual(new Set(['batch item-knn v1 k=4']));
      expect(new Set(lists.map((l) => l.recommendationId))).toEqual(new Set([...idOfUser.values()].map((ids) => [...ids][0]!)));
      const shown = await warehouse.db
        .selectFrom('recImpression')
        .select((eb) => eb.fn.countAll().as('n'))
        .where(
          'recommendationId',
          'in',
          lists.map((l) => l.recommendationId),
        )
        .executeTakeFirst();
      expect(Number(shown?.n)).toBe(rows);
    } finally {
      await warehouse.close();
    }
  });

  it('refuses --record without --all', async () => {
    const r = await runCli(['recommend', '--user', 'U0000002', '--record'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--record goes with --all');
  });
});
