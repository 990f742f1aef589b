import { availableParallelism } from 'node:os';
import type { Writable } from 'node:stream';
import { scoreBatches, startRecommendHelper, type FoldInInteractions, type TopK } from '../models/index.ts';
import { hasHistory, toRecommendations, topForUser, type LoadedModel, type RecentHistory } from '../registry/index.ts';
import { csvLine, ValidationError, uuidV7 } from '../shared/index.ts';
import { packShownItems, type ServedListRow } from '../warehouse/index.ts';

/** Recording a batch's lists as served (rec_list, rec_impression), so reactions to a campaign built on it are attributable. */
export interface BatchRecording {
  /** One id for every list of the batch. */
  readonly batchId: string;
  /** When the batch was made (warehouse UTC text). */
  readonly createdAt: string;
  /** The registered model and version, when the model came from the registry. */
  readonly registered?: { readonly name: string; readonly version: number };
  /** Writes one batch of lists (one transaction per call). */
  write(rows: readonly ServedListRow[]): Promise<void>;
}

/**
 * Writes `user_id,item_id,rank,score` for every user in the model to `out` (popular services, scored by their
 * number of users, for users without reservations in the model's data), in batches, so memory stays at
 * the model plus a few batches whatever the number of users. With more than one thread, a worker holding the
 * same model in shared memory shares the batches with this thread as they go (scoreBatches). Returns the
 * number of rows written. With `record`, every user's list is also recorded under a new recommendation_id, which
 * the file carries as a fifth column (`recommendation_id`) for clients to quote in their feedback. With `recent`
 * (reservations loaded since the model's data), the users who made some get the list their whole history gives
 * (see topForUser), and users the model does not know but who made some are written after the others.
 */
export async function writeAllRecommendations(
  loaded: LoadedModel,
  k: number,
  out: Writable,
  options: { batchSize?: number; threads?: number; record?: BatchRecording; recent?: RecentHistory } = {},
): Promise<number> {
  if (!Number.isInteger(k) || k < 1) throw new ValidationError(`k must be a positive integer, got ${k}`);
  const batchSize = options.batchSize ?? 1024;
  const kk = Math.min(k, loaded.itemIds.length);
  const batches = Math.ceil(loaded.userIds.length / batchSize);
  const threads = Math.min(options.threads ?? availableParallelism(), 2, batches);
  const helper = threads > 1 ? startRecommendHelper({ model: loaded.modelBytes, exclude: loaded.seen, k: kk }) : undefined;
  let rows = 0;
  // Users without reservations in the model's data all get the same popular list (they have nothing to exclude).
  let popular: TopK | undefined;
  const write = (text: string): Promise<void> | undefined => (out.write(text) ? undefined : new Promise((resolve) => out.once('drain', resolve)));
  try {
    const { record, recent } = options;
    const freshList = (userId: string, fresh: FoldInInteractions | undefined) => {
      const { basis, top } = topForUser(loaded, userId, kk, undefined, { recent: fresh });
      return { userId, ranked: top, row: 0, basis };
    };
    await write(record ? 'user_id,item_id,rank,score,recommendation_id\n' : 'user_id,item_id,rank,score\n');
    // This thread and the worker share the batches as they go (scoreBatches); lists come back in batch order.
    const range = (b: number) => userRange(b * batchSize, Math.min(batchSize, loaded.userIds.length - b * batchSize));
    const scored = scoreBatches({
      count: batches,
      local: (b) => loaded.model.recommend(range(b), { k: kk, exclude: loaded.seen }),
      helper: helper && { recommend: (b) => helper.recommend(range(b)) },
    });
    for await (const [b, top] of scored) {
      const start = b * batchSize;
      const count = Math.min(batchSize, loaded.userIds.length - start);
      const lines: string[] = [];
      const lists: ServedListRow[] = [];
      const users: { userId: string; ranked: TopK; row: number; basis: 'model' | 'popular' }[] = [];
      for (let q = 0; q < count; q++) {
        const userId = loaded.userIds[start + q]!;
        const fresh = recent?.forUser(userId);
        if (fresh) users.push(freshList(userId, fresh));
        else if (hasHistory(loaded, start + q)) users.push({ userId, ranked: top, row: q, basis: 'model' });
        else users.push({ userId, ranked: (popular ??= loaded.fallback.recommend(Int32Array.of(start + q), { k: kk })), row: 0, basis: 'popular' });
      }
      if (b === batches - 1 && recent) {
        for (const userId of recent.userIds()) if (!loaded.userIndex.has(userId)) users.push(freshList(userId, recent.forUser(userId)));
      }
      for (const { userId, ranked, row, basis } of users) {
        const recommendations = toRecommendations(loaded, ranked, row);
        const id = record ? uuidV7() : undefined;
        for (const r of recommendations) {
          const score = Number(r.score.toPrecision(6));
          lines.push(csvLine(id === undefined ? [userId, r.serviceId, r.rank, score] : [userId, r.serviceId, r.rank, score, id]));
          rows++;
        }
        if (record && id !== undefined) {
          lists.push({
            recommendationId: id,
            source: 'batch',
            batchId: record.batchId,
            userId,
            modelName: record.registered?.name ?? null,
            registryVersion: record.registered?.version ?? null,
            modelKind: loaded.manifest.kind,
            artifactVersion: loaded.manifest.version,
            basis,
            filterCategory: null,
            filterRegion: null,
            k: kk,
            itemCount: recommendations.length,
            createdAt: record.createdAt,
            items: packShownItems(recommendations, (r) => [r.serviceId, r.score]),
          });
        }
      }
      // Recorded before the file holds them: a list a client can quote is always in the warehouse.
      if (record && lists.length > 0) await record.write(lists);
      if (lines.length > 0) await write(`${lines.join('\n')}\n`);
    }
  } finally {
    await helper?.close();
  }
  return rows;
}

function userRange(start: number, count: number): Int32Array {
  const users = new Int32Array(count);
  for (let i = 0; i < count; i++) users[i] = start + i;
  return users;
}
