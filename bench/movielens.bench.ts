/**
 * Recommendation quality on real data no one here wrote: ../shared/data/movielens-small, with the protocol of
 * its README — ingest `landing/` through the real pipeline, train every model on everything in the warehouse,
 * recommend the top 10 for every test user with already-reserved services excluded, score against `test.csv`
 * (a test user without recommendations counts as a miss). test.csv is only read here, after training; it never
 * chooses a setting. Prints one row per model with its lift over popularity.
 *
 * With --tune, `pickwise tune`'s job first searches each named model's parameters on the warehouse (validation
 * split carved out of the landed data; the search never sees test.csv), and the best parameters are fitted on
 * everything and scored like the defaults, as "<model> tuned". `--tune auto` runs `pickwise tune --algo auto`'s job
 * (every family under one --budget, successive halving) and scores its winner as "auto (<kind>)"; with --budget,
 * the single models named beside it are each searched for that same time (trials unbounded) instead of --trials.
 *
 * --validate also scores every model (defaults and tuned) on the search's validation split (fitted on what precedes
 * it), the figure a search compares settings by. --seed sets the search's seed (default 42); --space names a search space other than the model's own (see SPACES), to
 * compare search spaces.
 *
 *   npm run bench:movielens [-- --models popular,item-knn,als (default: every model) --threads 2 --tune als,bpr --trials 50 --seed 42 --space als-revisited]
 *   npm run bench:movielens -- --models popular --tune auto,als --budget 300
 */
import { cp, mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { availableParallelism, cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { configSchema } from '../src/config/index.ts';
import { loadInteractionLog, type InteractionLog } from '../src/features/index.ts';
import { alsRevisitedSearchSpace } from '../src/models/als/index.ts';
import { csrFromCoo, type CsrMatrix, type SearchSpace } from '../src/models/core/index.ts';
import { fitAndScore, printModelTable, type ModelSpec } from './model-table.ts';
import { isModelKind, MODEL_KINDS } from '../src/models/catalog.ts';
import { runAutoTuneJob, runIngestJob, runTuneJob, validationSplit } from '../src/pipeline/index.ts';
import { silentLogger } from '../src/shared/logger.ts';
import { LocalObjectStore } from '../src/storage/index.ts';
import { migrateToLatest, openWarehouse } from '../src/warehouse/index.ts';

/** Search spaces other than the models' own, by name. */
const SPACES: Record<string, SearchSpace<unknown>> = { 'als-revisited': alsRevisitedSearchSpace as SearchSpace<unknown> };

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DATA = path.resolve(root, '..', 'shared', 'data', 'movielens-small');

/** Test pairs as a CSR over the same dense ids; unknown users/items are added so they count as misses. */
function testMatrix(log: InteractionLog, pairs: [string, string][]): { test: CsrMatrix; unknownUsers: number; unknownItems: number } {
  const before = { users: log.users.size, items: log.items.size };
  const rowIdx = new Int32Array(pairs.length);
  const colIdx = new Int32Array(pairs.length);
  pairs.forEach(([u, i], n) => {
    rowIdx[n] = log.users.add(u);
    colIdx[n] = log.items.add(i);
  });
  const test = csrFromCoo({ rows: log.users.size, cols: log.items.size, rowIdx, colIdx, duplicates: 'max' });
  return { test, unknownUsers: log.users.size - before.users, unknownItems: log.items.size - before.items };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      models: { type: 'string', default: MODEL_KINDS.join(',') },
      threads: { type: 'string' },
      tune: { type: 'string', default: '' },
      trials: { type: 'string', default: '50' },
      seed: { type: 'string', default: '42' },
      space: { type: 'string' },
      validate: { type: 'boolean', default: false },
      budget: { type: 'string' },
    },
  });
  if (!existsSync(path.join(DATA, 'landing'))) {
    console.log(`movielens-small not found at ${DATA}: nothing to measure`);
    return;
  }
  const threads = values.threads ? Number(values.threads) : availableParallelism();
  console.log(`machine: ${cpus()[0]?.model ?? '?'}, ${availableParallelism()} cores, node ${process.version}; threads ${threads}`);
  const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-movielens-'));
  try {
    await cp(path.join(DATA, 'landing'), path.join(dir, 'bucket', 'landing'), { recursive: true });
    const warehouse = await openWarehouse({ url: `sqlite:${path.join(dir, 'w.db')}` });
    await migrateToLatest(warehouse);
    const store = new LocalObjectStore(path.join(dir, 'bucket'));
    const ingest = await runIngestJob({
      store,
      warehouse,
      config: configSchema.parse({}).ingest,
      feedback: configSchema.parse({}).feedback,
      logger: silentLogger(),
    });
    const log = await loadInteractionLog(warehouse);
    const tuned: ModelSpec[] = [];
    const budgetMs = values.budget !== undefined ? Number(values.budget) * 1000 : undefined;
    for (const kind of values.tune!.split(',').filter(Boolean)) {
      if (kind === 'auto') {
        const a = await runAutoTuneJob({ warehouse, store, budgetMs: budgetMs ?? 300_000, threads, save: false, logger: silentLogger() });
        console.log(`tune --algo auto, budget ${a.budgetSeconds} s: search ${a.searchSeconds.toFixed(0)} s`);
        for (const f of a.families) {
          const fate =
            f.skipped ?? (f.droppedAfter !== undefined ? `dropped after rung ${f.droppedAfter + 1}` : f.kind === a.winner?.kind ? 'winner' : 'kept to the end');
          console.log(
            `  ${f.kind.padEnd(9)} validation NDCG@10 ${f.best?.validationNdcg.toFixed(4) ?? '-'}  ${f.trials.complete}/${f.trials.pruned}/${f.trials.failed} complete/pruned/failed  ${f.seconds.toFixed(0)} s  ${fate}  ${JSON.stringify(f.best?.params)}`,
          );
        }
        console.log(`  popular   validation NDCG@10 ${a.popularity.validationNdcg.toFixed(4)}`);
        if (a.winner) tuned.push({ kind: a.winner.kind, params: a.winner.params, label: `auto (${a.winner.kind})` });
        continue;
      }
      if (!isModelKind(kind)) throw new Error(`unknown model ${kind}`);
      const space = values.space ? SPACES[values.space] : undefined;
      if (values.space && !space) throw new Error(`unknown search space ${values.space}; known: ${Object.keys(SPACES).join(', ')}`);
      const limit = budgetMs !== undefined ? { trials: 100_000, timeoutMs: budgetMs } : { trials: Number(values.trials) };
      const t = await runTuneJob({
        warehouse,
        store,
        kind,
        ...limit,
        seed: Number(values.seed),
        threads,
        save: false,
        logger: silentLogger(),
        ...(space ? { searchSpace: space } : {}),
      });
      const trials = `${t.trials.complete} complete, ${t.trials.pruned} pruned, ${t.trials.failed} failed`;
      console.log(
        `tuned ${kind}: ${trials} in ${t.seconds.toFixed(0)} s; best validation NDCG@10 ${t.best?.validationNdcg.toFixed(4)} with ${JSON.stringify(t.best?.params)}`,
      );
      if (t.best) tuned.push({ kind, params: t.best.params, label: `${kind} tuned` });
    }
    await warehouse.close();
    const specs = [...values.models!.split(','), ...tuned];
    if (values.validate) {
      const { train: before, validation } = validationSplit(log);
      console.log('validation split (what the search scores; test.csv not read):');
      printModelTable(await fitAndScore(before, validation, specs, threads));
    }
    const trainUsers = log.users.size;
    const trainItems = log.items.size;
    const pairs = (await readFile(path.join(DATA, 'test.csv'), 'utf8'))
      .trim()
      .split(/\r?\n/)
      .slice(1)
      .map((l) => l.trim().split(',') as [string, string]);
    const { test, unknownUsers, unknownItems } = testMatrix(log, pairs);
    const train = csrFromCoo({ rows: log.users.size, cols: log.items.size, rowIdx: log.user, colIdx: log.item, values: log.value, duplicates: 'sum' });
    console.log(
      `ingested ${ingest.rowsLoaded} rows (${ingest.rowsRejected} rejected) in ${ingest.seconds.toFixed(2)} s; train ${trainUsers} users × ${trainItems} items, ${train.indices.length} non-zeros; test ${pairs.length} pairs (${unknownUsers} unknown users, ${unknownItems} unknown items)`,
    );

    console.log('test.csv:');
    printModelTable(await fitAndScore(train, test, specs, threads));
    console.log('reference figures: ../shared/data/README.md');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
