/**
 * GF-CF at a large catalogue, beside ALS: a generated 0/1 matrix of the Gowalla check-in set's shape (29 858 users ×
 * 40 981 items, 810 128 non-zeros, power-law item popularity, long-tailed user activity; bench/power-law-matrix.ts).
 * Each model runs in a child process of its own, so that its peak memory (max RSS) is its own:
 * - gf-cf: the randomized SVD alone (rank 256, its default power iterations), then fit, top 20 for every user
 *   (training items excluded, one thread, as each `recommend --all` worker scores its share), and one user at a
 *   time (what the API does) for 300 random users: median and p99;
 * - als (defaults: 64 factors, 15 iterations, on all threads): the same fit, recommend-all and one-user timings.
 *
 * With --svd-accuracy, instead: the top singular values with 2, 4 and 8 power iterations against 16.
 *
 *   npm run bench:gfcf [-- --models gf-cf,als --rank 256 --users-for-all 29858 | --svd-accuracy]
 */
import { execFileSync } from 'node:child_process';
import { availableParallelism, cpus } from 'node:os';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createRecommender, type Recommender } from '../src/models/index.ts';
import { normalizeBothSides } from '../src/models/gf-cf/gf-cf-filters.ts';
import { randomizedSvd } from '../src/models/core/randomized-svd.ts';
import { Rng } from '../src/shared/index.ts';
import { GOWALLA_SHAPE, powerLawMatrix } from './power-law-matrix.ts';

const { values } = parseArgs({
  options: {
    models: { type: 'string', default: 'gf-cf,als' },
    rank: { type: 'string', default: '256' },
    'users-for-all': { type: 'string' },
    child: { type: 'string' },
    'svd-accuracy': { type: 'boolean', default: false },
  },
});

interface ChildResult {
  readonly model: string;
  readonly svdSeconds?: number;
  readonly fitSeconds: number;
  readonly recommendAllSeconds: number;
  readonly usersScored: number;
  readonly oneUserMedianMs: number;
  readonly oneUserP99Ms: number;
  readonly maxRssMb: number;
}

async function child(kind: string): Promise<void> {
  const matrix = powerLawMatrix({ ...GOWALLA_SHAPE, seed: 42 });
  const rank = Number(values.rank);
  let svdSeconds: number | undefined;
  if (kind === 'gf-cf') {
    const started = performance.now();
    const { normalized } = normalizeBothSides({ ...matrix, data: new Float32Array(matrix.data.length).fill(1) });
    await randomizedSvd(normalized, { rank, powerIterations: 2 });
    svdSeconds = (performance.now() - started) / 1000;
  }
  const model: Recommender = createRecommender(kind === 'gf-cf' ? 'gf-cf' : 'als', kind === 'gf-cf' ? { rank } : {});
  let started = performance.now();
  await model.fit(matrix, { seed: 1, threads: availableParallelism() });
  const fitSeconds = (performance.now() - started) / 1000;
  const usersScored = Math.min(matrix.rows, Number(values['users-for-all'] ?? matrix.rows));
  started = performance.now();
  model.recommend(
    Int32Array.from({ length: usersScored }, (_, u) => u),
    { k: 20, exclude: matrix },
  );
  const recommendAllSeconds = (performance.now() - started) / 1000;
  const rng = new Rng(7);
  const times: number[] = [];
  for (let t = 0; t < 300; t++) {
    const u = rng.int(0, matrix.rows);
    const t0 = performance.now();
    model.recommend(Int32Array.of(u), { k: 10, exclude: matrix });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const result: ChildResult = {
    model: kind,
    ...(svdSeconds === undefined ? {} : { svdSeconds }),
    fitSeconds,
    recommendAllSeconds,
    usersScored,
    oneUserMedianMs: times[150]!,
    oneUserP99Ms: times[296]!,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  console.log(JSON.stringify(result));
}

function main(): void {
  const m = powerLawMatrix({ ...GOWALLA_SHAPE, seed: 42 });
  console.log(
    `machine: ${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version}; matrix ${m.rows} × ${m.cols}, ${m.indices.length} non-zeros (seed 42)`,
  );
  const script = fileURLToPath(import.meta.url);
  const rows: ChildResult[] = [];
  for (const kind of values.models!.split(',')) {
    const args = ['--import', 'tsx', script, '--child', kind, '--rank', values.rank!];
    if (values['users-for-all']) args.push('--users-for-all', values['users-for-all']);
    const out = execFileSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 1 << 24 });
    rows.push(JSON.parse(out.trim().split('\n').pop()!) as ChildResult);
  }
  console.log('\nmodel | SVD s | fit s | top 20 for all users s (one thread) | one user: median / p99 ms | peak RSS MB');
  console.log('------|-------|-------|-------------------------------------|---------------------------|------------');
  for (const r of rows) {
    const all = r.usersScored === m.rows ? r.recommendAllSeconds.toFixed(1) : `${r.recommendAllSeconds.toFixed(1)} for ${r.usersScored} users`;
    console.log(
      `${r.model} | ${r.svdSeconds?.toFixed(1) ?? '—'} | ${r.fitSeconds.toFixed(1)} | ${all} | ${r.oneUserMedianMs.toFixed(1)} / ${r.oneUserP99Ms.toFixed(1)} | ${r.maxRssMb.toFixed(0)}`,
    );
  }
}

/** Largest and mean relative error of the top singular values of R̃ for a few power-iteration counts, against 16. */
async function svdAccuracy(): Promise<void> {
  const m = powerLawMatrix({ ...GOWALLA_SHAPE, seed: 42 });
  const { normalized } = normalizeBothSides({ ...m, data: new Float32Array(m.data.length).fill(1) });
  const rank = Number(values.rank);
  const reference = (await randomizedSvd(normalized, { rank, powerIterations: 16 })).singularValues;
  console.log(`σ1 ${reference[0]!.toFixed(4)}, σ${rank} ${reference[rank - 1]!.toFixed(4)} (16 power iterations)`);
  for (const q of [2, 4, 8]) {
    const started = performance.now();
    const approximate = (await randomizedSvd(normalized, { rank, powerIterations: q })).singularValues;
    const seconds = (performance.now() - started) / 1000;
    let max = 0;
    let mean = 0;
    for (let j = 0; j < rank; j++) {
      const error = Math.abs(approximate[j]! - reference[j]!) / reference[j]!;
      max = Math.max(max, error);
      mean += error / rank;
    }
    console.log(
      `${q} power iterations: ${seconds.toFixed(1)} s; singular values off by ${(100 * max).toFixed(1)} % at most, ${(100 * mean).toFixed(1)} % on average`,
    );
  }
}

if (values.child) await child(values.child);
else if (values['svd-accuracy']) await svdAccuracy();
else main();
