/**
 * What committing served lists costs, without serving: on a fresh, migrated SQLite warehouse, `--rounds` rounds of
 * `--lists` lists each (the bench's users, 10 items a list, time-ordered ids, as the recorder makes them), measured in
 * this process's CPU time per list as the table grows:
 * - `rows`: the lists already as rows, written by `FeedbackRepo.insertServedLists` in groups of 1 500 (the recorder's
 *   group at the bench's rate) and nothing else: the database's floor for storing them with rec_list's indexes;
 * - `commit`: the commit worker's path on a second database: the lists as batch files on disk (written beforehand,
 *   not counted), read, decoded and committed by `commitPendingBatches`, files deleted.
 * Run by `npm run bench:feedback` (serving part) as a child process; prints one JSON line
 * `{ lists, rows: [µs per list by round], commit: [...] }`.
 *
 *   tsx bench/served-list-floor.ts --dir /tmp/x --lists 40000 --rounds 8
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { commitPendingBatches } from '../src/feedback/served-lists/batch-committer.ts';
import { PendingBatches } from '../src/feedback/served-lists/pending-batches.ts';
import { encodeServedList } from '../src/feedback/served-lists/served-list-line.ts';
import { Rng } from '../src/shared/rng.ts';
import { toUtcText, uuidV7 } from '../src/shared/index.ts';
import { FeedbackRepo, migrateToLatest, openWarehouse, packShownItems, type ServedListRow } from '../src/warehouse/index.ts';
import { ITEMS, serviceId, userId, USERS } from './serve-support.ts';

const { values } = parseArgs({ options: { dir: { type: 'string' }, lists: { type: 'string' }, rounds: { type: 'string' } } });
const lists = Number(values.lists);
const rounds = Number(values.rounds);
if (!values.dir || !(lists > 0) || !(rounds > 0)) throw new Error('usage: served-list-floor.ts --dir DIR --lists N --rounds N');
const GROUP = 1500;
const rng = new Rng(7);

function served(n: number): ServedListRow[] {
  const out: ServedListRow[] = [];
  for (let i = 0; i < n; i++) {
    const now = Date.now();
    const first = rng.uniformInt(ITEMS);
    out.push({
      recommendationId: uuidV7(now),
      source: 'user',
      batchId: null,
      userId: userId(rng.uniformInt(USERS)),
      modelName: null,
      registryVersion: null,
      modelKind: 'als',
      artifactVersion: 'v1',
      basis: 'model',
      filterCategory: null,
      filterRegion: null,
      k: 10,
      itemCount: 10,
      createdAt: toUtcText(new Date(now)),
      items: packShownItems(
        Array.from({ length: 10 }, (_, r) => r),
        (r) => [serviceId((first + r * 37) % ITEMS), Math.fround(1 - r / 20)],
      ),
    });
  }
  return out;
}

const cpuMicros = (since: NodeJS.CpuUsage): number => {
  const c = process.cpuUsage(since);
  return c.user + c.system;
};

async function measure(name: 'rows' | 'commit'): Promise<number[]> {
  const dir = path.join(values.dir!, name);
  mkdirSync(dir, { recursive: true });
  const warehouse = await openWarehouse({ url: `sqlite:${path.join(dir, 'warehouse.db')}`, poolSize: 1 });
  await migrateToLatest(warehouse);
  const repo = new FeedbackRepo(warehouse);
  const batches = new PendingBatches(path.join(dir, 'served-lists'));
  await batches.open();
  const perList: number[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const rows = served(lists);
      if (name === 'commit') for (let i = 0; i < rows.length; i += GROUP) await batches.writeLines(rows.slice(i, i + GROUP).map(encodeServedList));
      const start = process.cpuUsage();
      if (name === 'rows') for (let i = 0; i < rows.length; i += GROUP) await repo.insertServedLists(rows.slice(i, i + GROUP));
      else if ((await commitPendingBatches(batches, repo, GROUP)).written !== lists) throw new Error('not every list was committed');
      perList.push(cpuMicros(start) / lists);
    }
  } finally {
    await warehouse.close();
  }
  return perList;
}

const rows = await measure('rows');
const commit = await measure('commit');
console.log(JSON.stringify({ lists, rows, commit }));
