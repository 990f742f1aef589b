/**
 * Tuning benchmark: pickwise's TPE beside Optuna's TPE (Debian python3-optuna 3.1, its defaults) and random
 * search, on standard test functions, the same number of trials, median best value over seeds, in one run.
 *
 *   npm run bench:tuning -- [--trials 50] [--seeds 20] [--als-trials 20] [--als-seeds 5]
 *
 * The anchor is bench/anchors/optuna_tpe.py run with Debian's Python. Raw results go to .bench/tuning-<time>.json.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Rng } from '../src/shared/rng.ts';
import { rankingMetricsAtK } from '../src/evaluation/index.ts';
import { createRecommender } from '../src/models/catalog.ts';
import { validationSplit } from '../src/pipeline/index.ts';
import { MemoryStudyStorage, RandomSampler, Study, TEST_FUNCTIONS, TpeSampler, type Params, type Sampler, type Space, type TestFunction } from '../src/tuning/index.ts';
import { generatedInteractionLog } from './generated-log.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '50' },
    seeds: { type: 'string', default: '20' },
    'als-trials': { type: 'string', default: '20' },
    'als-seeds': { type: 'string', default: '5' },
  },
});
const trials = Number(values.trials);
const seeds = Number(values.seeds);

interface Run {
  readonly best: number;
  readonly seconds: number;
}

async function pickwise(fn: TestFunction, sampler: () => Sampler, seed: number): Promise<Run> {
  const started = performance.now();
  const study = await Study.open({ storage: new MemoryStudyStorage(), name: fn.name, space: fn.space, direction: 'minimize', sampler: sampler(), seed });
  const noise = new Rng(1000 + seed);
  await study.optimize(async (t) => fn.evaluate(t.params, noise), { trials });
  return { best: (await study.best())!.value!, seconds: (performance.now() - started) / 1000 };
}

async function optuna(): Promise<Map<string, Run[]>> {
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(repoRoot, 'bench', 'anchors', 'optuna_tpe.py'), String(trials), String(seeds)], { maxBuffer: 1 << 26 });
  const out = new Map<string, Run[]>();
  for (const line of stdout.trim().split('\n')) {
    const r = JSON.parse(line) as { function: string; best: number; seconds: number };
    out.set(r.function, [...(out.get(r.function) ?? []), { best: r.best, seconds: r.seconds }]);
  }
  return out;
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};

console.log(`machine: ${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version}; ${trials} trials, ${seeds} seeds`);
let anchor: Map<string, Run[]> | undefined;
try {
  anchor = await optuna();
} catch (error) {
  console.log(`Optuna anchor not run (${(error as Error).message.split('\n')[0]}): apt-get install -y python3-optuna`);
}
const rows: Record<string, unknown>[] = [];
console.log('\nfunction            | minimum  | pickwise TPE | Optuna TPE | random    | TPE wins | ms/trial pickwise | ms/trial Optuna');
console.log('--------------------|----------|--------------|------------|-----------|----------|-------------------|----------------');
for (const fn of TEST_FUNCTIONS) {
  const tpe: Run[] = [];
  const random: Run[] = [];
  for (let seed = 0; seed < seeds; seed++) {
    tpe.push(await pickwise(fn, () => new TpeSampler(), seed));
    random.push(await pickwise(fn, () => new RandomSampler(), seed));
  }
  const opt = anchor?.get(fn.name) ?? [];
  const m = { pickwise: median(tpe.map((r) => r.best)), optuna: opt.length ? median(opt.map((r) => r.best)) : Number.NaN, random: median(random.map((r) => r.best)) };
  // Seeds on which pickwise's best is at least as good as Optuna's with the same seed number (different streams).
  const wins = opt.length ? tpe.filter((r, i) => r.best <= opt[i]!.best).length : 0;
  const ms = (runs: Run[]) => (runs.length ? ((runs.reduce((a, r) => a + r.seconds, 0) / runs.length / trials) * 1000).toFixed(2) : '—');
  console.log(
    `${fn.name.padEnd(20)}| ${fn.minimum.toFixed(4).padStart(8)} | ${m.pickwise.toFixed(4).padStart(12)} | ${m.optuna.toFixed(4).padStart(10)} | ${m.random.toFixed(4).padStart(9)} | ${`${wins}/${seeds}`.padStart(8)} | ${ms(tpe).padStart(17)} | ${ms(opt).padStart(15)}`,
  );
  rows.push({ function: fn.name, minimum: fn.minimum, median: m, pickwise: tpe, optuna: opt, random });
}
console.log('median best value over seeds (lower is better)');
const als = await alsObjective(Number(values['als-trials']), Number(values['als-seeds']));
await mkdir(join(repoRoot, '.bench'), { recursive: true });
const file = join(repoRoot, '.bench', `tuning-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, JSON.stringify({ trials, seeds, rows, als }, null, 2));
console.log(`raw results: ${file}`);

/**
 * The ALS objective: validation NDCG@10 (the split `pickwise tune` uses) on generated data of 10 000 users,
 * 1 000 services and 150 000 reservations, over a space narrowed so that a trial takes about a second
 * (factors 16–64, iterations 5–20). pickwise's study beside Optuna's TPE asking for the same trials over
 * stdin/stdout (bench/anchors/optuna_ask_tell.py), both evaluated by the same function here.
 */
async function alsObjective(alsTrials: number, alsSeeds: number) {
  const dir = await mkdtemp(join(tmpdir(), 'pickwise-tuning-bench-'));
  try {
    const log = await generatedInteractionLog(dir, { users: 10_000, services: 1_000, reservations: 150_000 });
    const data = validationSplit(log);
    const space: Space = {
      factors: { type: 'int', min: 16, max: 64, log: true },
      regularization: { type: 'float', min: 1e-3, max: 100, log: true },
      alpha: { type: 'float', min: 0.1, max: 100, log: true },
      iterations: { type: 'int', min: 5, max: 20, log: false },
    };
    const objective = async (params: Params): Promise<number> => {
      const model = createRecommender('als', { ...params });
      await model.fit(data.train, { seed: 1, threads: availableParallelism() });
      return rankingMetricsAtK(model, data.train, data.validation, { k: 10 }).ndcg;
    };
    const ours: number[] = [];
    const theirs: number[] = [];
    const started = performance.now();
    for (let seed = 0; seed < alsSeeds; seed++) {
      const study = await Study.open({ storage: new MemoryStudyStorage(), name: 'als', space, direction: 'maximize', seed });
      await study.optimize(async (t) => objective(t.params), { trials: alsTrials });
      ours.push((await study.best())!.value!);
      try {
        theirs.push(await optunaAskTell(space, alsTrials, seed, objective));
      } catch (error) {
        console.log(`Optuna ask-and-tell not run (${(error as Error).message.split('\n')[0]})`);
        break;
      }
    }
    const m = (xs: number[]) => (xs.length ? median(xs).toFixed(4) : '—');
    const wins = theirs.filter((v, i) => ours[i]! >= v).length;
    console.log(`\nALS objective (validation NDCG@10, higher is better), ${alsTrials} trials, ${alsSeeds} seeds: pickwise TPE median best ${m(ours)}, Optuna TPE ${m(theirs)}; pickwise ≥ Optuna on ${wins}/${theirs.length} seeds (${((performance.now() - started) / 1000).toFixed(0)} s)`);
    return { trials: alsTrials, seeds: alsSeeds, pickwise: ours, optuna: theirs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs Optuna's TPE over `space`, evaluating each asked trial with `objective`; returns its best value. */
function optunaAskTell(space: Space, trials: number, seed: number, objective: (p: Params) => Promise<number>): Promise<number> {
  const child = spawn('/usr/bin/python3', [join(repoRoot, 'bench', 'anchors', 'optuna_ask_tell.py'), JSON.stringify({ space, trials, seed, direction: 'maximize' })], { stdio: ['pipe', 'pipe', 'pipe'] });
  const lines = createInterface({ input: child.stdout });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += String(c)));
  return new Promise((resolve, reject) => {
    let chain = Promise.resolve();
    child.on('error', reject);
    child.on('exit', (code) => code !== 0 && reject(new Error(`optuna_ask_tell.py exited ${code}: ${stderr.trim().split('\n').at(-1)}`)));
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { params?: Params; best?: number };
      if (msg.best !== undefined) return resolve(msg.best);
      chain = chain.then(async () => {
        child.stdin.write(`${await objective(msg.params!)}\n`);
      }).catch(reject);
    });
  });
}
