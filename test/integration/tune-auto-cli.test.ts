import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_CATALOG, MODEL_KINDS } from '../../src/models/index.ts';
import { openWarehouse } from '../../src/warehouse/index.ts';
import { runCli } from '../support/run-cli.ts';

interface AutoJson {
  families: {
    kind: string;
    study: string;
    best?: { number: number; params: Record<string, unknown>; validationNdcg: number };
    trials: { complete: number; pruned: number; failed: number };
    seconds: number;
    rungs: number;
    droppedAfter?: number;
    skipped?: string;
  }[];
  popularity: { validationNdcg: number };
  winner: { kind: string; params: Record<string, unknown>; validationNdcg: number };
  budgetSeconds: number;
  searchSeconds: number;
  final?: { kind: string; params: Record<string, unknown>; registered: { name: string; version: number } };
}

/** Every kind with a search space except popularity, the baseline: what `--algo auto` searches by default. */
const FAMILIES = MODEL_KINDS.filter((k) => k !== 'popular' && Object.values(MODEL_CATALOG[k].searchSpace).some((r) => r !== undefined));

describe('pickwise tune --algo auto', () => {
  let cwd: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-tune-auto-'));
    env = { PICKWISE_DATABASE__URL: `sqlite:${path.join(cwd, 'w.db')}` };
    expect((await runCli(['generate', '--users', '300', '--services', '40', '--reservations', '6000'], { cwd, env })).code).toBe(0);
    expect((await runCli(['ingest'], { cwd, env })).code).toBe(0);
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  const trialCount = async (study: string): Promise<number> => {
    const warehouse = await openWarehouse({ url: env['PICKWISE_DATABASE__URL']! });
    try {
      const rows = await warehouse.db
        .selectFrom('tuneTrial as t')
        .innerJoin('tuneStudy as s', 's.studyId', 't.studyId')
        .select('t.trialNumber')
        .where('s.name', '=', study)
        .execute();
      return rows.length;
    } finally {
      await warehouse.close();
    }
  };

  it('searches every family under the budget, picks the best validation score, and registers it under its family', async () => {
    const r = await runCli(['--json', 'tune', '--algo', 'auto', '--budget', `${3 * FAMILIES.length}s`, '--threads', '1'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    const s = JSON.parse(r.stdout) as AutoJson;
    expect(s.families.map((f) => f.kind)).toEqual(FAMILIES);
    for (const f of s.families) {
      expect(f.skipped, f.kind).toBeUndefined();
      expect(f.best!.validationNdcg, f.kind).toBeGreaterThan(0);
      expect(f.trials.complete, f.kind).toBeGreaterThanOrEqual(1);
      // Each family's study is in the warehouse, one trial row per trial this run counted.
      expect(await trialCount(`auto-${f.kind}`), f.kind).toBe(f.trials.complete + f.trials.pruned + f.trials.failed);
    }
    const scores = [...s.families.map((f) => f.best!.validationNdcg), s.popularity.validationNdcg];
    expect(s.winner.validationNdcg).toBe(Math.max(...scores));
    // Halving: at least one family runs to the end; a dropped family ran exactly the rungs before its drop.
    expect(s.families.filter((f) => f.droppedAfter === undefined).length).toBeGreaterThanOrEqual(1);
    for (const f of s.families) if (f.droppedAfter !== undefined) expect(f.rungs).toBe(f.droppedAfter + 1);
    expect(s.searchSeconds).toBeLessThan(s.budgetSeconds + 10);
    expect(s.final!.kind).toBe(s.winner.kind);
    expect(s.final!.params).toMatchObject(s.winner.params);
    expect(s.final!.registered.name).toBe(s.winner.kind);
    const shown = await runCli(['models', 'show', s.winner.kind], { cwd, env });
    expect(shown.stdout).toMatch(
      /chosen by pickwise tune --algo auto among .+ \(study 'auto-[a-z0-9-]+', trial #\d+, validation NDCG@10 0\.\d{4}; popularity 0\.\d{4}\)/,
    );
  });

  it('prints one row per family beside popularity, restricted with --algos, registered as --register-as', async () => {
    const r = await runCli(
      ['tune', '--algo', 'auto', '--algos', 'item-knn,als', '--budget', '4s', '--threads', '1', '--study', 'two', '--register-as', 'picked'],
      {
        cwd,
        env,
      },
    );
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^family +validation NDCG@10 +trials \(complete\/pruned\/failed\) +time +rungs +best params/);
    expect(lines.filter((l) => /^(item-knn|als)( \*)? +0\.\d{4} +\d+\/\d+\/\d+ +\d+\.\d s +\d /.test(l))).toHaveLength(2);
    expect(lines.filter((l) => /^bpr/.test(l))).toHaveLength(0);
    expect(lines.find((l) => l.startsWith('popular (baseline)'))).toMatch(/0\.\d{4} +- +- +- +defaults/);
    expect(r.stdout).toMatch(/^winner: (item-knn|als), validation NDCG@10 0\.\d{4} \(\d+ % over popularity\); search \d+\.\d s of a 4 s budget$/m);
    expect(r.stdout).toMatch(/^registered as picked version 1 /m);
    // A line per trial on stderr, named by family.
    expect(r.stderr.split('\n').some((l) => /^(item-knn|als) +trial \d+ \(\d+\) (complete|pruned|failed) /.test(l))).toBe(true);
  });

  it.each([
    [['--algos', 'als,nope'], /unknown model family 'nope': the families are /],
    [['--algos', 'popular'], /popular cannot be a family of the search \(popular is the baseline, always scored\)/],
    [
      ['--budget', '1s'],
      new RegExp(`a budget of 1\\.0 s is too small for one trial of each of the ${FAMILIES.length} model families .*: give at least ${FAMILIES.length}s`),
    ],
  ])('refuses %j with a clear error before searching', async (args, message) => {
    const r = await runCli(['tune', '--algo', 'auto', '--study', 'refused', ...args], { cwd, env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(await trialCount('refused-als')).toBe(0);
  });

  it('evaluate --algo all shows every model beside popularity in one table; train --algo all is refused', async () => {
    const r = await runCli(['evaluate', '--algo', 'all', '--threads', '1'], { cwd, env });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[1]).toMatch(/^model +precision +recall +ndcg .* NDCG lift +fit s$/);
    for (const kind of MODEL_KINDS.filter((k) => k !== 'popular'))
      expect(
        lines.some((l) => new RegExp(`^${kind} +0\\.\\d{4} `).test(l)),
        kind,
      ).toBe(true);
    expect(lines.some((l) => /^popular \(baseline\) +0\.\d{4} /.test(l))).toBe(true);
    const train = await runCli(['train', '--algo', 'all'], { cwd, env });
    expect(train.code).toBe(2);
    expect(train.stderr).toMatch(/compare every model with pickwise evaluate --algo all, or let pickwise tune --algo auto choose one/);
  });

  it('keeps --budget and --algos to --algo auto, and refuses a factor count above the catalogue', async () => {
    const single = await runCli(['tune', '--algo', 'als', '--budget', '10s'], { cwd, env });
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/--budget and --algos are for --algo auto; a search of als alone stops with --trials or --timeout/);
    const factors = await runCli(['evaluate', '--algo', 'als', '--factors', '64'], { cwd, env });
    expect(factors.code).toBe(2);
    expect(factors.stderr).toMatch(/ALS factors 64 is more than the data's 40 items: ask for at most 40 factors/);
  });
});
