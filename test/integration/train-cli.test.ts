import { readFile, mkdtemp, rm, writeFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCli } from '../support/run-cli.ts';

/** train → recommend as a user runs them, on the embedded defaults. */
describe('pickwise train, evaluate and recommend', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-train-'));
  });
  afterAll(async () => rm(cwd, { recursive: true, force: true }));

  it('refuses to train on an empty warehouse with a clear message', async () => {
    const r = await runCli(['train', '--algo', 'als'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/no reservations to learn from: land files and run pickwise ingest first/);
  });

  it('trains, reports hold-out lift over popularity, saves, and recommends for one user and for all', async () => {
    expect((await runCli(['generate', '--users', '400', '--services', '60', '--reservations', '8000'], { cwd })).code).toBe(0);
    expect((await runCli(['ingest'], { cwd })).code).toBe(0);

    const train = await runCli(['--json', 'train', '--algo', 'als', '--factors', '16', '--iterations', '8'], { cwd });
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout) as {
      holdout: { metrics: { ndcg: number }; popularity: { ndcg: number }; users: number };
      saved: { prefix: string };
    };
    expect(summary.holdout.users).toBeGreaterThan(50);
    expect(summary.holdout.metrics.ndcg).toBeGreaterThan(summary.holdout.popularity.ndcg);
    expect(summary.saved.prefix).toMatch(/^artifacts\/\d{8}T\d{6}Z-[0-9a-f]{6}$/);

    const one = await runCli(['--json', 'recommend', '--user', 'U0000002', '--k', '5'], { cwd });
    expect(one.code).toBe(0);
    const recs = JSON.parse(one.stdout) as { recommendations: { rank: number; serviceId: string; score: number }[] };
    expect(recs.recommendations.map((r) => r.rank)).toEqual([1, 2, 3, 4, 5]);
    // Nothing the user already reserved (excluding canceled ones, which carry no weight) is recommended.
    const reservations = (await readFile(path.join(cwd, '.pickwise/bucket/landing/reservations.csv'), 'utf8')).split('\n');
    const seen = new Set(reservations.filter((l) => l.split(',')[1] === 'U0000002' && !l.includes(',canceled,')).map((l) => l.split(',')[2]));
    expect(recs.recommendations.some((r) => seen.has(r.serviceId))).toBe(false);

    const huge = JSON.parse((await runCli(['--json', 'recommend', '--user', 'U0000002', '--k', '1000'], { cwd })).stdout) as { recommendations: unknown[] };
    expect(huge.recommendations.length).toBeLessThanOrEqual(60);
    expect(huge.recommendations.length).toBeGreaterThan(60 - seen.size - 5);

    const out = path.join(cwd, 'recs.csv');
    expect((await runCli(['recommend', '--all', '--k', '3', '--out', out], { cwd })).code).toBe(0);
    const lines = (await readFile(out, 'utf8')).trim().split('\n');
    expect(lines[0]).toBe('user_id,item_id,rank,score');
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0])).size).toBe(400);
  });

  it('learns from stored feedback by default and says so; --no-feedback and feedback.learn: false leave it out', async () => {
    const on = await runCli(['evaluate', '--algo', 'popular'], { cwd });
    expect(on.code, on.stderr).toBe(0);
    expect(on.stdout).toMatch(/^feedback: no events learned from$/m);
    expect((JSON.parse((await runCli(['--json', 'evaluate', '--algo', 'popular'], { cwd })).stdout) as { feedback?: unknown }).feedback).toEqual({
      used: {},
      unknown: {},
      events: 0,
      pairsCanceledOut: 0,
      newestId: 0,
    });
    const off = await runCli(['evaluate', '--algo', 'popular', '--no-feedback'], { cwd });
    expect(off.code, off.stderr).toBe(0);
    expect(off.stdout).toMatch(/^feedback: not learned from \(--no-feedback or feedback\.learn: false\)$/m);
    const byConfig = await runCli(['--json', 'evaluate', '--algo', 'popular'], { cwd, env: { PICKWISE_FEEDBACK__LEARN: 'false' } });
    expect((JSON.parse(byConfig.stdout) as { feedback?: unknown }).feedback).toBeUndefined();
  });

  it('answers an unknown user with a clear not-found error (exit 6)', async () => {
    const r = await runCli(['recommend', '--user', 'nobody'], { cwd });
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/user 'nobody' is not in the model/);
  });

  it('evaluates every model kind beside popularity without saving', async () => {
    for (const algo of ['popular', 'item-knn', 'bpr']) {
      const r = await runCli(['--json', 'evaluate', '--algo', algo, ...(algo === 'bpr' ? ['--iterations', '20'] : [])], { cwd });
      expect(r.code).toBe(0);
      const s = JSON.parse(r.stdout) as { kind: string; holdout: { metrics: { ndcg: number } }; saved?: unknown };
      expect(s.kind).toBe(algo);
      expect(s.holdout.metrics.ndcg).toBeGreaterThan(0);
      expect(s.saved).toBeUndefined();
    }
    // Popularity within each user's region: a baseline beside the overall one, and a model of its own.
    const regional = await runCli(['--json', 'evaluate', '--algo', 'popular', '--scope', 'region', '--holdout', '0.5', '--min-interactions', '2'], { cwd });
    expect(regional.code).toBe(0);
    type Holdout = { users: number; metrics: { ndcg: number }; popularity: { ndcg: number }; regionalPopularity: { ndcg: number } };
    const r3 = JSON.parse(regional.stdout) as { params: { scope: string }; holdout: Holdout };
    // Runs and summaries carry every parameter, the defaults included.
    expect(r3.params).toEqual({ by: 'count', scope: 'region' });
    expect(r3.holdout.metrics.ndcg).toBeCloseTo(r3.holdout.regionalPopularity.ndcg, 12);
    expect(r3.holdout.regionalPopularity.ndcg).not.toBeCloseTo(r3.holdout.popularity.ndcg, 6);
    const r5 = JSON.parse((await runCli(['--json', 'evaluate', '--algo', 'popular', '--holdout', '0.5'], { cwd })).stdout) as { holdout: Holdout };
    expect(r3.holdout.users).toBeGreaterThan(r5.holdout.users); // a lower minimum evaluates more users
    const text = await runCli(['evaluate', '--algo', 'popular', '--scope', 'region'], { cwd });
    expect(text.stdout).toMatch(/popular in region/);

    const refused = await runCli(['evaluate', '--algo', 'item-knn', '--factors', '8'], { cwd });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/item-knn has no parameter\(s\) factors/);
  });

  it('lists, shows and compares runs; lists and shows registered models; positional arguments are checked', async () => {
    const second = await runCli(['--json', 'train', '--algo', 'als', '--factors', '8', '--iterations', '3'], { cwd });
    const trained = JSON.parse(second.stdout) as { run: string; registered: { name: string; version: number } };
    expect(trained.registered).toEqual({ name: 'als', version: 2 });
    const list = JSON.parse((await runCli(['--json', 'runs', 'list', '--experiment', 'als'], { cwd })).stdout) as { runs: { runId: string }[] };
    expect(list.runs[0]!.runId).toBe(trained.run);
    const show = await runCli(['runs', 'show', trained.run], { cwd });
    expect(show.stdout).toMatch(/params: \{"factors":8,"regularization":[\d.]+,"alpha":[\d.]+,"iterations":3,/);
    expect(show.stdout).toMatch(/holdout\.ndcg\s+0\.\d{4}/);
    expect(show.stdout).toMatch(/artifact artifacts\/.+\/model\.pwm \(\d+ bytes, sha256 [0-9a-f]{12}…\)/);
    const compare = await runCli(['runs', 'compare', list.runs[1]!.runId, trained.run], { cwd });
    expect(compare.stdout).toMatch(/param factors\s+16\s+8/);
    // Columns two spaces apart at least, so long run ids never run together; defaults are shown as values.
    expect(compare.stdout.split('\n')[0]).toMatch(new RegExp(`^\\s+${list.runs[1]!.runId}  +${trained.run}$`));
    expect(compare.stdout).toMatch(/param regularization\s+0\.05\d*\s+0\.05/);
    const table = (await runCli(['runs', 'list'], { cwd })).stdout.split('\n');
    expect(table[0]).toMatch(/^run\s+experiment\s+type\s+model\s+status\s+started\s+result$/);
    expect(table.filter((l) => /^\S+\s+popular\s+evaluate\s+popular\s+finished\s/.test(l)).length).toBeGreaterThan(0);
    expect((await runCli(['runs', 'compare', trained.run], { cwd })).code).toBe(2);
    expect((await runCli(['runs', 'show', 'no-such-run'], { cwd })).code).toBe(6);
    expect((await runCli(['models', 'list'], { cwd })).stdout).toMatch(/^als: 2 version\(s\), latest v2$/m);
    expect((await runCli(['models', 'show', 'als'], { cwd })).stdout).toMatch(/register v2 {2}by .+: trained by pickwise train/);
    expect((await runCli(['models', 'promote', 'als', 'two'], { cwd })).code).toBe(2);
  });

  it('serves the newest trained model over HTTP on the embedded defaults and stops cleanly on SIGTERM', async () => {
    const { child, done } = startCli(['serve', '--port', '0'], { cwd });
    const address = await new Promise<string>((resolve, reject) => {
      let text = '';
      child.stderr!.on('data', (chunk: Buffer) => {
        text += String(chunk);
        const m = /pickwise serving on (http:\/\/127\.0\.0\.1:\d+)/.exec(text);
        if (m) resolve(m[1]!);
      });
      child.once('exit', () => reject(new Error(`serve exited early: ${text}`)));
    });
    const r = await fetch(`${address}/v1/users/U0000002/recommendations?k=3`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { items: unknown[] }).items).toHaveLength(3);
    child.kill('SIGTERM');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/stopped serving http:\/\/127\.0\.0\.1:\d+ \(SIGTERM\); in-flight requests finished/);
  });

  it('reports a corrupted model artifact clearly instead of crashing, by its checksum and by its recorded SHA-256', async () => {
    const promoted = await runCli(['models', 'promote', 'als', '1'], { cwd });
    expect(promoted.code, promoted.stderr).toBe(0);
    const dir = path.join(cwd, '.pickwise/bucket/artifacts');
    const run = (await readdir(dir)).sort().at(-1); // the newest: what recommend loads by default
    const file = path.join(dir, run!, 'model.pwm');
    const bytes = await readFile(file);
    bytes[bytes.length - 3] = bytes[bytes.length - 3]! ^ 0xff;
    await writeFile(file, bytes);
    const r = await runCli(['recommend', '--user', 'U0000002'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/Model artifact is corrupted/);
    // Version 1 (champion) is intact; corrupt it too and loading it by its alias is refused before decoding.
    const first = (await readdir(dir)).sort()[0]!;
    const firstFile = path.join(dir, first, 'model.pwm');
    const firstBytes = await readFile(firstFile);
    firstBytes[10] = firstBytes[10]! ^ 0xff;
    await writeFile(firstFile, firstBytes);
    const byAlias = await runCli(['recommend', '--user', 'U0000002', '--model', 'als@champion'], { cwd });
    expect(byAlias.code).toBe(2);
    expect(byAlias.stderr).toMatch(new RegExp(`artifact artifacts/${first}/model\\.pwm of run ${first} has changed since it was recorded`));
  });

  it("takes every family's hyperparameters as flags (EASE, RP3beta, GF-CF, iALS) and records them", async () => {
    // The newer families take their hyperparameters as flags too, and record them with the defaults filled in.
    const flagged: [string, string[], Record<string, unknown>][] = [
      ['ease', ['--lambda', '50'], { lambda: 50, maxItems: 10_000 }],
      ['rp3beta', ['--alpha', '0.5', '--beta', '0.3', '--normalization', 'l1'], { alpha: 0.5, beta: 0.3, normalization: 'l1' }],
      [
        'gf-cf',
        ['--rank', '16', '--alpha', '0.2', '--power-iterations', '1', '--values', 'weighted'],
        { rank: 16, alpha: 0.2, powerIterations: 1, values: 'weighted' },
      ],
      ['als', ['--factors', '8', '--reg-exponent', '0.5', '--unobserved-weight', '0.3', '--iterations', '3'], { regExponent: 0.5, unobservedWeight: 0.3 }],
    ];
    for (const [algo, flags, params] of flagged) {
      const r = await runCli(['--json', 'evaluate', '--algo', algo, ...flags], { cwd });
      expect(r.code, r.stderr).toBe(0);
      const s = JSON.parse(r.stdout) as { kind: string; params: Record<string, unknown>; holdout: { metrics: { ndcg: number } } };
      expect(s.kind).toBe(algo);
      expect(s.params).toMatchObject(params);
      expect(s.holdout.metrics.ndcg).toBeGreaterThan(0);
    }
    const tooSmall = await runCli(['evaluate', '--algo', 'ease', '--max-items', '10'], { cwd });
    expect(tooSmall.code).toBe(2);
    expect(tooSmall.stderr).toMatch(/gf-cf/);
  });
});
