import { ValidationError } from '../../shared/index.ts';
import {
  allocateTopK,
  candidateIds,
  checkIds,
  columnCounts,
  columnSums,
  csrRow,
  validateCsr,
  type CsrMatrix,
  type FitOptions,
  type FitReport,
  type ModelArtifact,
  type RecommendOptions,
  type Recommender,
  type SearchSpace,
  type TopK,
  topKWidth,
} from '../core/index.ts';

export interface PopularParams {
  /**
   * 'count': an item's score is the number of users with an interaction on it (the data README's baseline,
   * "count of positives"). 'weight': the sum of interaction values on it (repeat reservations, ratings as confidence).
   */
  readonly by: 'count' | 'weight';
  /**
   * 'overall': one ranking for everyone. 'region': each user gets the ranking among users of their own region
   * (ties and the rest of the list by overall popularity); users without a region get the overall ranking.
   * Needs `userRegions` at fit time.
   */
  readonly scope: 'overall' | 'region';
}

export const popularDefaults: PopularParams = { by: 'count', scope: 'overall' };

/** Popularity has two discrete choices to tune. */
export const popularSearchSpace: SearchSpace<PopularParams> = {
  by: { type: 'categorical', choices: ['count', 'weight'] },
  scope: { type: 'categorical', choices: ['overall', 'region'] },
};

/** Version 2 records every training user's group (-1 for none), so the artifact knows how many users there were. */
const ARTIFACT_VERSION = 2;
/** Version-1 artifacts of scope 'overall' did not record the users: any non-negative user id is served. */
const UNKNOWN_USERS = 0x7fffffff;

/** One ranking: score per item, and the items worth recommending in order, best first. */
interface Ranking {
  readonly scores: Float32Array;
  readonly order: Int32Array;
}

interface Fitted {
  readonly overall: Ranking;
  /** Per region group (scope 'region'): the group's ranking. */
  readonly groups: readonly Ranking[];
  /** Group of each training user (-1: none; one entry per training user), and the region id each group stands for. */
  readonly userGroups: Int32Array;
  /** Users the model was fitted on (user ids are checked against it). */
  readonly users: number;
  readonly groupRegions: Int32Array;
}

/**
 * The non-personalised baseline every model must beat: items ranked by training popularity, overall or among
 * the users of each user's region, served minus what the user already has. Items no training user touched
 * (score 0) are never recommended.
 */
export class PopularRecommender implements Recommender {
  readonly kind = 'popular' as const;
  readonly params: PopularParams;
  #fitted: Fitted | undefined;

  constructor(params: Partial<PopularParams> = {}) {
    const by = params.by ?? popularDefaults.by;
    const scope = params.scope ?? popularDefaults.scope;
    if (by !== 'count' && by !== 'weight') throw new ValidationError(`PopularRecommender: by must be 'count' or 'weight', got ${String(by)}`);
    if (scope !== 'overall' && scope !== 'region') throw new ValidationError(`PopularRecommender: scope must be 'overall' or 'region', got ${String(scope)}`);
    this.params = { by, scope };
  }

  /** Counts (or sums) per item over the user-item matrix, overall and per region; one pass over nnz each. */
  async fit(matrix: CsrMatrix, options: FitOptions = {}): Promise<FitReport> {
    options.signal?.throwIfAborted();
    const started = performance.now();
    validateCsr(matrix);
    const overall = Float32Array.from(this.params.by === 'count' ? columnCounts(matrix) : columnSums(matrix));
    let userGroups: Int32Array = new Int32Array(matrix.rows).fill(-1);
    let groupRegions: Int32Array = new Int32Array(0);
    let groupScores = new Float32Array(0);
    if (this.params.scope === 'region') {
      const regions = options.userRegions;
      if (regions === undefined || regions.length !== matrix.rows) {
        throw new ValidationError(`PopularRecommender: scope 'region' needs userRegions for all ${matrix.rows} users (got ${regions?.length ?? 'none'})`);
      }
      ({ userGroups, groupRegions } = denseGroups(regions));
      groupScores = new Float32Array(groupRegions.length * matrix.cols);
      for (let u = 0; u < matrix.rows; u++) {
        const g = userGroups[u]!;
        if (g < 0) continue;
        const row = csrRow(matrix, u);
        for (let p = 0; p < row.indices.length; p++) groupScores[g * matrix.cols + row.indices[p]!]! += this.params.by === 'count' ? 1 : row.data[p]!;
      }
    }
    this.#setFitted({ scores: overall, userGroups, groupRegions, groupScores, users: matrix.rows });
    const seconds = (performance.now() - started) / 1000;
    options.onEpoch?.({ epoch: 1, seconds });
    return { epochs: 1, seconds, stoppedEarly: false };
  }

  /** Each user's ranking (overall or their region's), minus `exclude`'s row for that user and restricted to `candidates`. O(k + skipped) per user. */
  recommend(users: Int32Array, options: RecommendOptions): TopK {
    const fitted = this.#fittedOrThrow();
    const items = fitted.overall.scores.length;
    const { exclude, candidates } = options;
    const k = topKWidth(options.k, items, 'PopularRecommender');
    checkIds(users, fitted.users, 'user');
    const out = allocateTopK(users.length, k);
    // Stamp arrays avoid clearing per user: an item is skipped when its stamp equals the current query's.
    const excludedAt = new Int32Array(items).fill(-1);
    let allowed: Uint8Array | undefined;
    if (candidates) {
      allowed = new Uint8Array(items);
      for (const item of candidateIds(candidates, items)) allowed[item] = 1;
    }
    for (let q = 0; q < users.length; q++) {
      const u = users[q]!;
      if (exclude) {
        for (const item of csrRow(exclude, u).indices) if (item < items) excludedAt[item] = q;
      }
      const g = u < fitted.userGroups.length ? fitted.userGroups[u]! : -1;
      fillRow(out, q, k, g < 0 ? fitted.overall : fitted.groups[g]!, (item) => excludedAt[item] === q || (allowed !== undefined && allowed[item] === 0));
    }
    return out;
  }

  /** Popularity has no notion of item similarity: every query gets the overall ranking without the query item itself. */
  similarItems(items: Int32Array, requested: number): TopK {
    const { overall } = this.#fittedOrThrow();
    const k = topKWidth(requested, overall.scores.length - 1, 'PopularRecommender');
    checkIds(items, overall.scores.length, 'item');
    const out = allocateTopK(items.length, k);
    for (let q = 0; q < items.length; q++) fillRow(out, q, k, overall, (item) => item === items[q]);
    return out;
  }

  /**
   * Header `{ kind: 'popular', version: 2, params, shapes }` plus the overall score vector, each training user's
   * group (all -1 for scope 'overall') and, for scope 'region', the per-group scores and each group's region id.
   */
  toArtifact(): ModelArtifact {
    const { overall, groups, userGroups, groupRegions } = this.#fittedOrThrow();
    const items = overall.scores.length;
    const groupScores = new Float32Array(groups.length * items);
    groups.forEach((g, i) => groupScores.set(g.scores, i * items));
    return {
      header: {
        kind: this.kind,
        version: ARTIFACT_VERSION,
        params: { ...this.params },
        shapes: { scores: [items], groupScores: [groups.length, items], userGroups: [userGroups.length], groupRegions: [groupRegions.length] },
      },
      buffers: { scores: overall.scores, groupScores, userGroups, groupRegions },
    };
  }

  /** Rebuilds a fitted model; throws a ValidationError when the artifact is of another kind, version or shape. */
  static fromArtifact(artifact: ModelArtifact): PopularRecommender {
    const { header, buffers } = artifact;
    const where = 'PopularRecommender.fromArtifact';
    if (header.kind !== 'popular') throw new ValidationError(`${where}: artifact is of kind '${header.kind}'`);
    if (header.version !== ARTIFACT_VERSION && header.version !== 1)
      throw new ValidationError(`${where}: unsupported artifact version ${header.version} (expected ${ARTIFACT_VERSION})`);
    const scores = buffers.scores;
    if (!(scores instanceof Float32Array)) throw new ValidationError(`${where}: missing Float32Array buffer "scores"`);
    const shape = header.shapes.scores;
    if (!shape || shape.length !== 1 || shape[0] !== scores.length) {
      throw new ValidationError(`${where}: shapes.scores ${JSON.stringify(shape)} does not match ${scores.length} scores`);
    }
    checkScores(scores, where);
    // Artifacts written before regions existed have no group buffers: an overall ranking.
    const groupScores = buffers.groupScores ?? new Float32Array(0);
    const userGroups = buffers.userGroups ?? new Int32Array(0);
    const groupRegions = buffers.groupRegions ?? new Int32Array(0);
    if (!(groupScores instanceof Float32Array) || !(userGroups instanceof Int32Array) || !(groupRegions instanceof Int32Array)) {
      throw new ValidationError(`${where}: groupScores must be a Float32Array, userGroups and groupRegions Int32Arrays`);
    }
    if (groupScores.length !== groupRegions.length * scores.length) {
      throw new ValidationError(`${where}: ${groupScores.length} group scores for ${groupRegions.length} groups × ${scores.length} items`);
    }
    checkScores(groupScores, where);
    for (let u = 0; u < userGroups.length; u++) {
      if (userGroups[u]! < -1 || userGroups[u]! >= groupRegions.length)
        throw new ValidationError(`${where}: user ${u} is in group ${userGroups[u]}, outside [-1, ${groupRegions.length})`);
    }
    const model = new PopularRecommender({ by: header.params.by as PopularParams['by'], scope: (header.params.scope ?? 'overall') as PopularParams['scope'] });
    const users = header.version === 1 && userGroups.length === 0 ? UNKNOWN_USERS : userGroups.length;
    model.#setFitted({ scores, userGroups, groupRegions, groupScores, users });
    return model;
  }

  #setFitted(o: { scores: Float32Array; userGroups: Int32Array; groupRegions: Int32Array; groupScores: Float32Array; users: number }): void {
    const { scores, groupScores, userGroups, groupRegions, users } = o;
    const overall = rankingOf(scores, scores);
    const items = scores.length;
    const groups = Array.from(groupRegions, (_, g) => rankingOf(groupScores.subarray(g * items, (g + 1) * items), scores));
    this.#fitted = { overall, groups, userGroups, groupRegions, users };
  }

  #fittedOrThrow(): Fitted {
    if (!this.#fitted) throw new ValidationError('PopularRecommender is not fitted: call fit() or fromArtifact() first');
    return this.#fitted;
  }
}

/**
 * Items with a positive overall score, ordered by `scores` (best first), then by overall popularity, then by
 * smaller id: a region's own favourites first, the rest of the catalogue as everyone ranks it after them.
 */
function rankingOf(scores: Float32Array, overall: Float32Array): Ranking {
  let positive = 0;
  for (const s of overall) if (s > 0) positive++;
  const order = new Int32Array(positive);
  let n = 0;
  for (let i = 0; i < overall.length; i++) if (overall[i]! > 0) order[n++] = i;
  order.sort((a, b) => scores[b]! - scores[a]! || overall[b]! - overall[a]! || a - b);
  return { scores, order };
}

/** Region ids → dense group numbers in order of first appearance (-1 stays -1). */
function denseGroups(regions: Int32Array): { userGroups: Int32Array; groupRegions: Int32Array } {
  const groupOf = new Map<number, number>();
  const userGroups = new Int32Array(regions.length);
  for (let u = 0; u < regions.length; u++) {
    const r = regions[u]!;
    if (r < 0) {
      userGroups[u] = -1;
      continue;
    }
    let g = groupOf.get(r);
    if (g === undefined) groupOf.set(r, (g = groupOf.size));
    userGroups[u] = g;
  }
  return { userGroups, groupRegions: Int32Array.from(groupOf.keys()) };
}

function checkScores(scores: Float32Array, where: string): void {
  for (let i = 0; i < scores.length; i++) {
    if (!(scores[i]! >= 0 && Number.isFinite(scores[i]!))) {
      throw new ValidationError(`${where}: score ${i} is ${scores[i]}, expected a finite non-negative number`);
    }
  }
}

/** Row q of `out`: the first k items of the ranking that `skip` lets through, best first. */
function fillRow(out: TopK, q: number, k: number, { scores, order }: Ranking, skip: (item: number) => boolean): void {
  let filled = 0;
  for (let p = 0; p < order.length && filled < k; p++) {
    const item = order[p]!;
    if (skip(item)) continue;
    out.ids[q * k + filled] = item;
    out.scores[q * k + filled] = scores[item]!;
    filled++;
  }
}
