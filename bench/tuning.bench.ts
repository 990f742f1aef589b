/**
 * Tuning benchmark: pickwise's TPE beside Optuna's TPE (Debian python3-optuna 3.1, its defaults) and random
 * search, on standard test functions, the same number of trials, median best value over seeds, in one run.
 *
 *   npm run bench:tuning -- [--trials 50] [--seeds 20]
 *
 * The anchor is bench/anchors/optuna_tpe.py run with Debian's Python. Raw results go to .bench/tuning-<time>.json.
 */
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { availableParallelism, cpus } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { Rng } from '../src/shared/rng.ts';
import { MemoryStudyStorage, RandomSampler, Study, TEST_FUNCTIONS, TpeSampler, type Sampler, type TestFunction } from '../src/tuning/index.ts';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values } = parseArgs({ options: { trials: { type: 'string', default: '50' }, seeds: { type: 'string', default: '20' } } });
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
await mkdir(join(repoRoot, '.bench'), { recursive: true });
const file = join(repoRoot, '.bench', `tuning-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
await writeFile(file, JSON.stringify({ trials, seeds, rows }, null, 2));
console.log(`\nmedian best value over seeds (lower is better); raw results: ${file}`);
