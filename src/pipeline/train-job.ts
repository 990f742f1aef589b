import { randomBytes } from 'node:crypto';
import { liftPercent, rankingMetricsAtK, temporalSplit, type MetricValues } from '../evaluation/index.ts';
import { loadInteractionLog, type InteractionWeighting } from '../features/index.ts';
import { createRecommender } from '../models/catalog.ts';
import { csrFromCoo, encodeArtifact, type EpochReport, type ModelKind } from '../models/core/index.ts';
import { ModelBundleStore, type ModelManifest } from '../registry/index.ts';
import { ValidationError } from '../shared/errors.ts';
import type { Logger } from '../shared/logger.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { Warehouse } from '../warehouse/index.ts';

export interface TrainJobOptions {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly kind: ModelKind;
  readonly params: Record<string, unknown>;
  readonly logger: Logger;
  readonly seed?: number;
  readonly threads?: number;
  /** Cut-off of the hold-out metrics. */
  readonly k?: number;
  /** Share of each user's latest interactions held out for evaluation; 0 skips evaluation. */
  readonly holdout?: number;
  /** Users with fewer weighted interactions than this stay in training only (default 5). */
  readonly minInteractions?: number;
  /** Save the model trained on all interactions to the bucket (`pickwise train`); `evaluate` does not. */
  readonly save: boolean;
  readonly weighting?: InteractionWeighting;
  readonly onEpoch?: (phase: 'holdout' | 'final', report: EpochReport) => void;
  readonly signal?: AbortSignal;
}

export interface TrainSummary {
  readonly kind: ModelKind;
  readonly params: Record<string, unknown>;
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  readonly holdout?: {
    k: number;
    users: number;
    metrics: MetricValues;
    /** The overall popularity baseline, which `liftPercent` compares against. */
    popularity: MetricValues;
    /** Popularity within each user's region, when users have regions. */
    regionalPopularity?: MetricValues;
    liftPercent: Record<string, number>;
    fitSeconds: number;
  };
  readonly saved?: { prefix: string; version: string; fitSeconds: number };
}

/**
 * `pickwise train` / `pickwise evaluate`: interactions from the warehouse → temporal hold-out → fit and score
 * the model beside popularity on the same split → (train) fit on everything and save the bundle.
 */
export async function runTrainJob(o: TrainJobOptions): Promise<TrainSummary> {
  const log = await loadInteractionLog(o.warehouse, o.weighting ? { weighting: o.weighting } : {});
  if (log.count === 0) throw new ValidationError('the warehouse holds no reservations to learn from: land files and run pickwise ingest first');
  const nUsers = log.users.size;
  const nItems = log.items.size;
  const hasRegions = log.userRegion.some((r) => r >= 0);
  const fitOptions = (phase: 'holdout' | 'final') => ({
    seed: o.seed ?? 42,
    userRegions: log.userRegion,
    ...(o.threads ? { threads: o.threads } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onEpoch: (r: EpochReport) => o.onEpoch?.(phase, r),
  });
  const base = { kind: o.kind, params: o.params, users: nUsers, items: nItems, interactions: log.count };
  let holdout: TrainSummary['holdout'];
  const k = o.k ?? 10;
  if ((o.holdout ?? 0.2) > 0) {
    const split = temporalSplit({
      users: log.user, items: log.item, times: log.time, values: log.value, nUsers, nItems, testFraction: o.holdout ?? 0.2,
      ...(o.minInteractions !== undefined ? { minInteractions: o.minInteractions } : {}),
    });
    const model = createRecommender(o.kind, o.params);
    const t = performance.now();
    await model.fit(split.train, fitOptions('holdout'));
    const fitSeconds = (performance.now() - t) / 1000;
    const report = rankingMetricsAtK(model, split.train, split.test, { k });
    const baseline = async (scope: 'overall' | 'region'): Promise<MetricValues> => {
      const popular = createRecommender('popular', { scope });
      await popular.fit(split.train, { userRegions: log.userRegion });
      const { users: _users, ...values } = rankingMetricsAtK(popular, split.train, split.test, { k });
      return values;
    };
    const { users, ...metrics } = report;
    const popularity = await baseline('overall');
    const regionalPopularity = hasRegions ? await baseline('region') : undefined;
    holdout = { k, users, metrics, popularity, ...(regionalPopularity ? { regionalPopularity } : {}), liftPercent: liftPercent(metrics, popularity), fitSeconds };
    o.logger.info({ kind: o.kind, ndcg: metrics.ndcg, popularityNdcg: popularity.ndcg, regionalPopularityNdcg: regionalPopularity?.ndcg, users, fitSeconds }, 'hold-out evaluated');
  }
  if (!o.save) return { ...base, ...(holdout ? { holdout } : {}) };

  const all = csrFromCoo({ rows: nUsers, cols: nItems, rowIdx: log.user, colIdx: log.item, values: log.value, duplicates: 'sum' });
  const model = createRecommender(o.kind, o.params);
  const t = performance.now();
  await model.fit(all, fitOptions('final'));
  const fitSeconds = (performance.now() - t) / 1000;
  const trainedAt = new Date();
  const version = `${trainedAt.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`;
  const manifest: ModelManifest = {
    version, kind: o.kind, params: o.params, trainedAt: trainedAt.toISOString(), users: nUsers, items: nItems, interactions: log.count,
    ...(holdout ? { holdout: { k, metrics: holdout.metrics, popularity: holdout.popularity, users: holdout.users } } : {}),
  };
  const prefix = await new ModelBundleStore(o.store).save({
    manifest, model: encodeArtifact(model.toArtifact()), userIds: log.users.toArray(), itemIds: log.items.toArray(), seen: all,
  });
  o.logger.info({ prefix, fitSeconds }, 'model saved');
  return { ...base, ...(holdout ? { holdout } : {}), saved: { prefix, version, fitSeconds } };
}
