/**
 * Training speed and quality on generated data of the anchors' shape (50 000 users, 3 000 services,
 * 1 000 000 reservations): generate → ingest into SQLite → interaction log → each user's latest 20 % held
 * out → every model fitted with its defaults, timed per iteration/epoch, scored beside popularity, and
 * timed for top-10 of every user. Compare with ../shared/anchors/README.md (implicit: ALS 0.31 s/iteration,
 * BPR 0.196 s/epoch, recommend-all 2.3 s, on 2 threads).
 *
 *   npm run bench:train [-- --users 50000 --services 3000 --reservations 1000000 --models popular,item-knn,als,bpr]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { AlsRecommender } from '../src/models/als/index.ts';
import { BprRecommender } from '../src/models/bpr/index.ts';
import { randomInteractions } from '../src/models/core/test-fixtures.ts';
import { parseArgs } from 'node:util';
import { temporalSplit } from '../src/evaluation/index.ts';
import { generatedInteractionLog } from './generated-log.ts';
import { fitAndScore, printModelTable } from './model-table.ts';

const { values } = parseArgs({
  options: {
    users: { type: 'string', default: '50000' },
    services: { type: 'string', default: '3000' },
    reservations: { type: 'string', default: '1000000' },
    models: { type: 'string', default: 'popular,item-knn,als,bpr' },
    threads: { type: 'string' },
  },
});
const threads = values.threads ? Number(values.threads) : availableParallelism();
console.log(`machine: ${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version}; threads ${threads}`);
const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-train-bench-'));
try {
  let t = performance.now();
  const log = await generatedInteractionLog(dir, { users: Number(values.users), services: Number(values.services), reservations: Number(values.reservations) });
  const split = temporalSplit({ users: log.user, items: log.item, times: log.time, values: log.value, nUsers: log.users.size, nItems: log.items.size });
  console.log(
    `data: ${log.users.size} users × ${log.items.size} services, ${log.count} weighted reservations; train ${split.train.indices.length} non-zeros, ` +
      `test ${split.test.indices.length} (prepared in ${((performance.now() - t) / 1000).toFixed(1)} s)`,
  );
  t = performance.now();
  printModelTable(await fitAndScore(split.train, split.test, values.models!.split(','), threads));
  const mem = process.memoryUsage();
  console.log(`peak-ish memory now: rss ${(mem.rss / 2 ** 20).toFixed(0)} MB`);
  await onAnchorShape(values.models!.split(','), threads);
} finally {
  await rm(dir, { recursive: true, force: true });
}

/**
 * ALS seconds per iteration and BPR seconds per epoch on a matrix of the anchors' shape (49 000 × 3 000, about
 * 800 k non-zeros, skewed item popularity): the generated data above has fewer non-zeros (its users repeat
 * bookings), and the time per pass depends on the shape, not on what the interactions mean. SIMD beside scalar.
 */
async function onAnchorShape(models: readonly string[], threads: number): Promise<void> {
  const matrix = randomInteractions({ users: 49_000, items: 3_000, perUser: 17, seed: 1 });
  const nnz = matrix.indptr[matrix.rows]!;
  const anchor = { als: '0.31 s/iteration', bpr: '0.196 s/epoch' } as const;
  for (const kind of (['als', 'bpr'] as const).filter((k) => models.includes(k))) {
    for (const simd of [true, false]) {
      const seconds: number[] = [];
      const model = kind === 'als' ? new AlsRecommender({ factors: 64, iterations: 6 }) : new BprRecommender({ factors: 64, iterations: 6 });
      await model.fit(matrix, { seed: 1, threads, simd, onEpoch: (r) => void seconds.push(r.seconds) });
      const steady = seconds.slice(1).sort((a, b) => a - b);
      const median = steady[Math.floor(steady.length / 2)]!;
      console.log(
        `${kind} on the anchors' shape (49000 × 3000, ${nnz} non-zeros, 64 factors, ${threads} threads, ${simd ? 'SIMD' : 'scalar'}): ` +
          `${median.toFixed(3)} s per pass (median of passes 2–6; implicit: ${anchor[kind]} on 772 k non-zeros)`,
      );
    }
  }
}
