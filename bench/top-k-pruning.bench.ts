/**
 * What the blocked top-K's stop on the norm bound saves on a trained model: landing files go through the real CLI
 * (`db migrate`, `ingest`, `train --holdout 0` per model) in a fresh home; then, in this process on one thread,
 * every user's top K (seen items excluded, as `recommend --all` does) with and without the stop: the share of
 * user × item scores computed, the seconds of each, and that both give the same lists.
 *
 *   npm run bench:pruning [-- --landing DIR (default: ../shared/data/movielens-small/landing;
 *     catalog: the generated Gowalla-shaped files of bench:catalog) --models als,bpr --k 10,20]
 */
import { spawn } from 'node:child_process';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { blockedTopK } from '../src/models/core/blocked-top-k.ts';
import type { FactorTables } from '../src/models/core/factor-model.ts';
import { blockScorerFor } from '../src/models/core/simd/score-block.ts';
import { allocateTopK } from '../src/models/core/top-k.ts';
import { loadTrainedModel } from '../src/registry/index.ts';
import { LocalObjectStore } from '../src/storage/index.ts';
import { writeCatalogLanding } from './catalog-landing.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    landing: { type: 'string', default: resolve(repoRoot, '..', 'shared', 'data', 'movielens-small', 'landing') },
    models: { type: 'string', default: 'als,bpr' },
    k: { type: 'string', default: '10,20' },
  },
});

function run(home: string, args: readonly string[]): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'pickwise.js'), '--json', ...args], {
      cwd: home,
      env: { ...process.env, PICKWISE_HOME: join(home, '.pickwise'), PICKWISE_LOG__LEVEL: 'warn' },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`pickwise ${args.join(' ')} exited ${code}: ${err.slice(-1500)}`))));
  });
}

const home = await mkdtemp(join(tmpdir(), 'pickwise-pruning-bench-'));
try {
  const landing = join(home, '.pickwise', 'bucket', 'landing');
  if (values.landing === 'catalog') await writeCatalogLanding(landing);
  else await cp(values.landing, landing, { recursive: true });
  await run(home, ['db', 'migrate']);
  await run(home, ['ingest']);
  console.log(`top-K pruning bench ${new Date().toISOString()}: landing ${values.landing}`);
  console.log('| model | k | users × items | scores computed | per-user floor | seconds (median of 5), with stop / without | same lists |');
  console.log('|---|---|---|---|---|---|---|');
  for (const kind of values.models.split(',')) {
    const trained = JSON.parse(await run(home, ['train', '--algo', kind, '--holdout', '0'])) as { saved: { prefix: string } };
    const loaded = await loadTrainedModel(new LocalObjectStore(join(home, '.pickwise', 'bucket')), trained.saved.prefix);
    const model = loaded.model as unknown as { userFactors: Float32Array; itemFactors: Float32Array; itemBias?: Float32Array; params: { factors: number } };
    const tables: FactorTables = {
      users: loaded.userIds.length,
      items: loaded.itemIds.length,
      factors: model.params.factors,
      userFactors: model.userFactors,
      itemFactors: model.itemFactors,
      ...(model.itemBias ? { itemBias: model.itemBias } : {}),
    };
    const scorer = blockScorerFor(tables.itemFactors, tables.items, tables.factors, tables.itemBias);
    if (!scorer) throw new Error('no WebAssembly SIMD');
    const users = Int32Array.from({ length: tables.users }, (_, u) => u);
    for (const k of values.k.split(',').map(Number)) {
      const timedRun = (stop: boolean) => {
        const out = allocateTopK(users.length, k);
        const t = performance.now();
        const scored = blockedTopK({ scorer, users, userFactors: tables.userFactors, items: tables.items, exclude: loaded.seen, k, out, stop });
        return { out, scored, seconds: (performance.now() - t) / 1000 };
      };
      // The median of five runs each, after a warm-up (small sets take milliseconds).
      const median = (stop: boolean) => {
        const runs = Array.from({ length: 5 }, () => timedRun(stop)).sort((a, b) => a.seconds - b.seconds);
        return runs[2]!;
      };
      timedRun(true);
      timedRun(false);
      const withStop = median(true);
      const without = median(false);
      const same = withStop.out.ids.every((id, q) => id === without.out.ids[q]);
      const pairs = users.length * tables.items;
      // The floor for a stop per user instead of per block: positions whose bound reaches the user's final k-th score.
      let floor = 0;
      for (let u = 0; u < users.length; u++) {
        const theta = withStop.out.scores[u * k + k - 1]!;
        let norm = 0;
        for (let c = 0; c < tables.factors; c++) norm += tables.userFactors[u * tables.factors + c]! ** 2;
        const bound = (p: number) => Math.sqrt(norm) * scorer.normFrom[p]! + scorer.biasFrom[p]!;
        let lo = 0;
        let hi = tables.items;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (bound(mid) >= theta) lo = mid + 1;
          else hi = mid;
        }
        floor += theta === -Infinity ? tables.items : lo;
      }
      console.log(
        `| ${kind} | ${k} | ${tables.users} × ${tables.items} | ${((100 * withStop.scored) / pairs).toFixed(1)} % | ${((100 * floor) / pairs).toFixed(1)} % | ${withStop.seconds.toFixed(3)} / ${without.seconds.toFixed(3)} | ${same ? 'yes' : 'NO'} |`,
      );
    }
  }
} finally {
  await rm(home, { recursive: true, force: true });
}
