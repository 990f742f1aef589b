/**
 * Tuning benchmark: pickwise's TPE beside Optuna's TPE (Debian python3-optuna 3.1, its defaults) and random
 * search, on standard test functions, the same number of trials, median best value over seeds, in one run.
 *
 *   npm run bench:tuning -- [--trials 50] [--seeds 20] [--als-trials 50] [--als-seeds 10]   (about 25 minutes)
 *   npm run bench:tuning -- --set development     # the functions the sampler's defaults are chosen on
 *
 * Optuna asks for every trial over stdin/stdout (bench/anchors/optuna_ask_tell.py, Debian's Python) and this
 * process evaluates both samplers' trials with the same function and the same noise stream. The `development`
 * set compares several TPE configurations on functions the reported set does not contain, so that the defaults
 * are chosen on functions they are not judged on. Raw results go to .bench/tuning-<time>.json.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { Rng } from '../src/shared/rng.ts';
import { median } from '../src/shared/stats.ts';
import { rankingMetricsAtK } from '../src/evaluation/index.ts';
import { createRecommender } from '../src/models/catalog.ts';
import { validationSplit } from '../src/pipeline/index.ts';
import {
  DEVELOPMENT_FUNCTIONS,
  MemoryStudyStorage,
  RandomSampler,
  Study,
  TEST_FUNCTIONS,
  TpeSampler,
  type Direction,
  type Params,
  type Sampler,
  type Space,
  type TestFunction,
  type TpeOptions,
} from '../src/tuning/index.ts';
import { generatedInteractionLog } from './generated-log.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({
  options: {
    trials: { type: 'string', default: '50' },
    seeds: { type: 'string', default: '20' },
    set: { type: 'string', default: 'issue' },
    'als-trials': { type: 'string', default: '50' },
    'als-seeds': { type: 'string', default: '10' },
  },
});
const trials = Number(values.trials);
const seeds = Number(values.seeds);
const development = values.set === 'development';
if (!development && values.set !== 'issue') throw new Error(`--set is issue or development, got ${values.set}`);

/** pickwise TPE configurations compared on the development set; the first is the default (joint, nearest widths). */
const VARIANTS: Readonly<Record<string, TpeOptions>> = development
  ? {
      default: {},
      'Optuna widths, width-weighted': { bandwidth: 'optuna', widthWeighted: true },
      'Optuna widths': { bandwidth: 'optuna' },
      'neighbour widths': { bandwidth: 'neighbour', considerEndpoints: true },
      'neighbour widths, width-weighted': { bandwidth: 'neighbour', considerEndpoints: true, widthWeighted: true },
      independent: { multivariate: false },
      'independent, width-weighted (as Optuna 3.1)': { multivariate: false, widthWeighted: true },
    }
  : { default: {} };

interface Run {
  readonly best: number;
  readonly seconds: number;
}

async function pickwise(fn: TestFunction, sampler: Sampler, seed: number): Promise<Run> {
  const started = performance.now();
  const study = await Study.open({ storage: new MemoryStudyStorage(), name: fn.name, space: fn.space, direction: 'minimize', sampler, seed });
  const noise = new Rng(1000 + seed);
  await study.optimize(async (t) => fn.evaluate(t.params, noise), { trials });
  return { best: (await study.best())!.value!, seconds: (performance.now() - started) / 1000 };
}

console.log(
  `machine: ${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version}; ${values.set} set, ${trials} trials, ${seeds} seeds`,
);
const seedList = Array.from({ length: seeds }, (_, s) => s);
const rows: Record<string, unknown>[] = [];
const variantNames = Object.keys(VARIANTS);
console.log(
  `\nfunction                   | minimum  | ${variantNames.map((v) => `pickwise ${v}`).join(' | ')} | Optuna TPE | random    | pickwise ≥ Optuna | ms/trial pickwise | ms/trial Optuna`,
);
for (const fn of development ? DEVELOPMENT_FUNCTIONS : TEST_FUNCTIONS) {
  const tpe: Record<string, Run[]> = {};
  const runs = async (sampler: () => Sampler): Promise<Run[]> => {
    const out: Run[] = [];
    for (const seed of seedList) out.push(await pickwise(fn, sampler(), seed)); // one at a time, for the timings
    return out;
  };
  for (const [name, options] of Object.entries(VARIANTS)) tpe[name] = await runs(() => new TpeSampler(options));
  const random = await runs(() => new RandomSampler());
  let opt: Run[] = [];
  try {
    opt = await optunaAskTell(fn.space, trials, seedList, 'minimize', (seed) => {
      const noise = new Rng(1000 + seed);
      return async (params) => fn.evaluate(params, noise);
    });
  } catch (error) {
    console.log(`Optuna anchor not run (${(error as Error).message.split('\n')[0]}): apt-get install -y python3-optuna`);
  }
  const fmt = (runs: Run[]) => (runs.length ? median(runs.map((r) => r.best)).toFixed(4) : '—');
  // Seeds on which pickwise's default is at least as good as Optuna with the same seed number (different streams).
  const wins = opt.length ? tpe.default!.filter((r, i) => r.best <= opt[i]!.best).length : 0;
  const ms = (runs: Run[]) => (runs.length ? ((runs.reduce((a, r) => a + r.seconds, 0) / runs.length / trials) * 1000).toFixed(2) : '—');
  console.log(
    `${fn.name.padEnd(27)}| ${fn.minimum.toFixed(4).padStart(8)} | ${variantNames.map((v) => fmt(tpe[v]!).padStart(9 + v.length)).join(' | ')} | ${fmt(opt).padStart(10)} | ${fmt(random).padStart(9)} | ${`${wins}/${seeds}`.padStart(17)} | ${ms(tpe.default!).padStart(17)} | ${ms(opt).padStart(15)}`,
  );
  rows.push({ function: fn.name, minimum: fn.minimum, pickwise: tpe, optuna: opt, random });
}
console.log('median best value over seeds (lower is better)');
const als = development ? undefined : await alsObjective(Number(values['als-trials']), Number(values['als-seeds']));
await mkdir(join(repoRoot, '.bench'), { recursive: true });
const file = join(repoRoot, '.bench', `tuning-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, JSON.stringify({ set: values.set, variants: VARIANTS, trials, seeds, rows, als }, null, 2));
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
    let theirs: number[] = [];
    const started = performance.now();
    for (let seed = 0; seed < alsSeeds; seed++) {
      const study = await Study.open({ storage: new MemoryStudyStorage(), name: 'als', space, direction: 'maximize', seed });
      await study.optimize(async (t) => objective(t.params), { trials: alsTrials });
      ours.push((await study.best())!.value!);
    }
    try {
      theirs = (
        await optunaAskTell(
          space,
          alsTrials,
          ours.map((_, seed) => seed),
          'maximize',
          () => objective,
        )
      ).map((r) => r.best);
    } catch (error) {
      console.log(`Optuna ask-and-tell not run (${(error as Error).message.split('\n')[0]})`);
    }
    const m = (xs: number[]) => (xs.length ? median(xs).toFixed(4) : '—');
    const wins = theirs.filter((v, i) => ours[i]! >= v).length;
    console.log(
      `\nALS objective (validation NDCG@10, higher is better), ${alsTrials} trials, ${alsSeeds} seeds: pickwise TPE median best ${m(ours)}, Optuna TPE ${m(theirs)}; pickwise ≥ Optuna on ${wins}/${theirs.length} seeds (${((performance.now() - started) / 1000).toFixed(0)} s)`,
    );
    return { trials: alsTrials, seeds: alsSeeds, pickwise: ours, optuna: theirs };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Runs one Optuna TPE study per seed over `space`, evaluating each asked trial with `objectiveFor(seed)`;
 * returns each study's best value and the seconds Optuna itself spent.
 */
function optunaAskTell(
  space: Space,
  trials: number,
  seeds: readonly number[],
  direction: Direction,
  objectiveFor: (seed: number) => (p: Params) => Promise<number>,
): Promise<Run[]> {
  const child = spawn('/usr/bin/python3', [join(repoRoot, 'bench', 'anchors', 'optuna_ask_tell.py'), JSON.stringify({ space, trials, seeds, direction })], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const lines = createInterface({ input: child.stdout });
  let stderr = '';
  child.stderr.on('data', (c) => (stderr += String(c)));
  const results: Run[] = [];
  let objective = objectiveFor(seeds[0]!);
  return new Promise((resolve, reject) => {
    let chain = Promise.resolve();
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? chain.then(() => resolve(results)) : reject(new Error(`optuna_ask_tell.py exited ${code}: ${stderr.trim().split('\n').at(-1)}`)),
    );
    lines.on('line', (line) => {
      const msg = JSON.parse(line) as { params?: Params; best?: number; seconds?: number };
      chain = chain
        .then(async () => {
          if (msg.best !== undefined) {
            results.push({ best: msg.best, seconds: msg.seconds! });
            if (results.length < seeds.length) objective = objectiveFor(seeds[results.length]!);
          } else child.stdin.write(`${await objective(msg.params!)}\n`);
        })
        .catch(reject);
    });
  });
}
