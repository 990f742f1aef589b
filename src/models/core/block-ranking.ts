import { csrRow } from './csr-ops.ts';
import { candidateIds, topKWidth } from './recommend-args.ts';
import type { RecommendOptions, TopK } from './recommender.ts';
import { allocateTopK, selectTopK } from './top-k.ts';

/** What {@link topKByUserBlocks} ranks: a model that scores whole rows for a block of users at a time. */
export interface UserBlockRanking {
  readonly users: Int32Array;
  /** Row width: the model's items. */
  readonly items: number;
  readonly options: RecommendOptions;
  /** Users scored together (the block's rows are `blockUsers × items` floats). */
  readonly blockUsers: number;
  /** Names the model in a bad `k`'s error. */
  readonly where: string;
  /** Writes the scores of users[q0, q0 + count) into `block`, the user at q0 + b in row b (offset b × items). */
  readonly scoreBlock: (q0: number, count: number, block: Float32Array) => void;
}

/**
 * Top k per user for models whose scores come a block of users at a time (EASE, GF-CF): each block is scored,
 * then every row has its `exclude` items set to −Infinity and its top k taken (among `candidates` when given).
 */
export function topKByUserBlocks(r: UserBlockRanking): TopK {
  const { users, items, options } = r;
  const k = topKWidth(options.k, items, r.where);
  const candidates = options.candidates && candidateIds(options.candidates, items);
  const out = allocateTopK(users.length, k);
  if (k === 0) return out;
  const block = new Float32Array(Math.min(r.blockUsers, users.length) * items);
  for (let q0 = 0; q0 < users.length; q0 += r.blockUsers) {
    const count = Math.min(r.blockUsers, users.length - q0);
    r.scoreBlock(q0, count, block);
    for (let b = 0; b < count; b++) {
      const scores = block.subarray(b * items, (b + 1) * items);
      if (options.exclude) for (const i of csrRow(options.exclude, users[q0 + b]!).indices) if (i >= 0 && i < items) scores[i] = -Infinity;
      selectTopK(scores, k, out.ids, out.scores, (q0 + b) * k, candidates);
    }
  }
  return out;
}
