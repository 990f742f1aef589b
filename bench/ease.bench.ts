/**
 * EASE fit speed against this machine's own peak. Peak: the best float32 multiply-add throughput of a tiny
 * WebAssembly SIMD loop whose operands never leave registers (f32x4.mul then f32x4.add on 8, 12 and 16
 * independent accumulators; 8 flops per lane-quad step), on one thread. Fit: `easeWeights` on generated
 * interactions (skewed popularity, ~20 items per user, 5 users per item) at each catalogue size; the Gram
 * matrix XᵀX is timed apart from the inverse, whose useful work is n³ flops (Cholesky n³/3, triangular
 * inverse n³/3, LᵀL product n³/3; n rounded up to a multiple of 8).
 *
 * Each size runs on 1 and on 2 threads (row bands of every update phase on worker threads); % of peak is
 * against the one-core peak times the threads.
 *
 *   npm run bench:ease [-- --items 1000,2000,4000,8000 --threads 1,2 --repeats 2]
 */
import { availableParallelism, cpus } from 'node:os';
import { parseArgs } from 'node:util';
import wabtInit from 'wabt';
import { compileWasm, instantiateWasm } from '../src/models/core/wasm.ts';
import { randomInteractions } from '../src/models/core/test-fixtures.ts';
import { easeWeights } from '../src/models/ease/index.ts';

const { values } = parseArgs({
  options: {
    items: { type: 'string', default: '1000,2000,4000,8000' },
    threads: { type: 'string', default: '1,2' },
    repeats: { type: 'string', default: '2' },
  },
});
const repeats = Number(values.repeats);

/** A loop of `accumulators` independent chains a ← a·x + a (mul then add), `n` steps; returns a lane (so it is not dead). */
function peakLoopWat(accumulators: number): string {
  const ids = Array.from({ length: accumulators }, (_, i) => `$a${i}`);
  return `(module (func (export "peak") (param $n i32) (result f32) (local $x v128) ${ids.map((a) => `(local ${a} v128)`).join(' ')}
    (local.set $x (f32x4.splat (f32.const 0.999)))
    ${ids.map((a, i) => `(local.set ${a} (f32x4.splat (f32.const ${1 + i / 100})))`).join('\n')}
    (block $done (loop $steps (br_if $done (i32.eqz (local.get $n)))
      ${ids.map((a) => `(local.set ${a} (f32x4.add (local.get ${a}) (f32x4.mul (local.get ${a}) (local.get $x))))`).join('\n')}
      (local.set $n (i32.sub (local.get $n) (i32.const 1))) (br $steps)))
    (f32x4.extract_lane 0 ${ids.map((a) => `(local.get ${a})`).reduce((s, v) => `(f32x4.add ${s} ${v})`)})))`;
}

async function measurePeak(): Promise<number> {
  const wabt = await wabtInit();
  let best = 0;
  for (const accumulators of [8, 12, 16]) {
    const parsed = wabt.parseWat('peak.wat', peakLoopWat(accumulators), { simd: true });
    const bytes = Buffer.from(parsed.toBinary({}).buffer).toString('base64');
    parsed.destroy();
    const module = compileWasm(bytes);
    if (!module) throw new Error('WebAssembly SIMD is not available');
    const peak = instantiateWasm(module, {})['peak'] as (n: number) => number;
    peak(1_000_000);
    for (let r = 0; r < 3; r++) {
      const steps = 10_000_000;
      const started = performance.now();
      peak(steps);
      best = Math.max(best, (steps * accumulators * 8) / ((performance.now() - started) / 1000) / 1e9);
    }
  }
  return best;
}

console.log(`machine: ${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version}`);
const peak = await measurePeak();
let bestPeak = peak;
console.log(`peak (one core, f32x4 mul+add, registers only): ${peak.toFixed(1)} GFLOP/s; measured again before each fit (the machine is shared)`);
console.log('| n | threads | XᵀX s | inverse s | fit s | GFLOP/s (inverse) | peak GFLOP/s (1 core, just before) | % of peak | workspace + B |');
console.log('|---|---|---|---|---|---|---|---|---|');
for (const items of values.items.split(',').map(Number)) {
  const x = randomInteractions({ users: 5 * items, items, perUser: 20, seed: items });
  const n = Math.ceil(items / 8) * 8;
  const bytes = (n * n + 2 * 128 * n + 128 * 128) * 4 + items * items * 4;
  for (const threads of values.threads.split(',').map(Number)) {
    for (let r = 0; r < repeats; r++) {
      const before = await measurePeak();
      bestPeak = Math.max(bestPeak, before);
      const started = performance.now();
      const fit = await easeWeights(x, { lambda: 100, threads });
      const seconds = (performance.now() - started) / 1000;
      const gflops = n ** 3 / fit.inverseSeconds / 1e9;
      const share = (100 * gflops) / (before * threads);
      console.log(
        `| ${items} | ${threads} | ${fit.gramSeconds.toFixed(2)} | ${fit.inverseSeconds.toFixed(2)} | ${seconds.toFixed(2)} | ${gflops.toFixed(1)} | ${before.toFixed(1)} | ${share.toFixed(0)} % | ${(bytes / 2 ** 20).toFixed(0)} MiB |`,
      );
    }
  }
}
console.log(`peak after the fits: ${(await measurePeak()).toFixed(1)} GFLOP/s; best seen ${bestPeak.toFixed(1)} GFLOP/s`);
