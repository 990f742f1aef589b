import { availableParallelism, userInfo } from 'node:os';
import { liftPercent, rankingMetricsAtK, rankingMetricsAtKParallel, temporalSplit, type MetricValues } from '../evaluation/index.ts';
import { loadInteractionLog, type FeedbackUsage, type FeedbackWeights, type InteractionLog, type InteractionWeighting } from '../features/index.ts';
import { createRecommender, resolvedParams, csrFromCoo, encodeArtifact, type EpochReport, type ModelKind } from '../models/index.ts';
import { ModelBundleStore, ModelRegistry, RunTracker, type FeedbackSnapshot, type ModelManifest } from '../registry/index.ts';
import { ValidationError } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
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
  /** Learn from stored feedback events too, with these weights (`feedback.weights`); undefined: reservations only. */
  readonly feedback?: FeedbackWeights;
  /** The warehouse's interactions when the caller has already loaded them (with `weighting`); else they are loaded. */
  readonly log?: InteractionLog;
  readonly onEpoch?: (phase: 'holdout' | 'final', report: EpochReport) => void;
  readonly signal?: AbortSignal;
  /** Experiment the run is recorded under; default the model kind. */
  readonly experiment?: string;
  /** Registered model name for the saved model (a new version of it); default the model kind; false: none. */
  readonly registerAs?: string | false;
  /** Who starts this, for the registry's records; default the OS user. */
  readonly actor?: string;
  /** Why the saved model is registered, for `pickwise models show`; default "trained by pickwise train". */
  readonly registerReason?: string;
}

export interface TrainSummary {
  readonly kind: ModelKind;
  readonly params: Record<string, unknown>;
  readonly users: number;
  readonly items: number;
  readonly interactions: number;
  /** The feedback events learned from, by type, and those left out; absent when feedback was not read. */
  readonly feedback?: FeedbackUsage;
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
  /** The tracked run (its id is also the saved model's version and artifact folder). */
  readonly run: string;
  readonly registered?: { readonly name: string; readonly version: number };
}

/**
 * `pickwise train` / `pickwise evaluate`: interactions from the warehouse → temporal hold-out → fit and score
 * the model beside popularity on the same split → (train) fit on everything and save the bundle.
 */
export async function runTrainJob(o: TrainJobOptions): Promise<TrainSummary> {
  const log =
    o.log ?? (await loadInteractionLog(o.warehouse, { ...(o.weighting ? { weighting: o.weighting } : {}), ...(o.feedback ? { feedback: o.feedback } : {}) }));
  if (log.count === 0) throw new ValidationError('the warehouse holds no reservations to learn from: land files and run pickwise ingest first');
  const tracker = new RunTracker(o.warehouse);
  const started = performance.now();
  // Runs record every parameter, the defaults included, so a run stays reproducible when defaults change.
  const params = resolvedParams(o.kind, o.params);
  const runType = o.save ? 'train' : 'evaluate';
  const run = await tracker.start({
    experiment: o.experiment ?? o.kind,
    runType,
    modelKind: o.kind,
    params,
    interactions: log.count,
    ...(log.feedback ? { feedback: feedbackSnapshot(log.feedback) } : {}),
  });
  try {
    const summary = await trainTracked({ ...o, params }, log, tracker, run, o.params);
    await tracker.finish(run, 'finished', (performance.now() - started) / 1000);
    const registerAs = o.registerAs ?? o.kind;
    if (!summary.saved || registerAs === false) return summary;
    const version = await new ModelRegistry(o.warehouse).register(
      registerAs,
      run,
      o.actor ?? actorName(),
      `${o.registerReason ?? 'trained by pickwise train'} (run ${run})`,
    );
    return { ...summary, registered: { name: registerAs, version } };
  } catch (error) {
    await tracker.finish(run, 'failed', (performance.now() - started) / 1000).catch(() => undefined);
    throw error;
  }
}

/** What a run's data snapshot records of the feedback a log learned from. */
export function feedbackSnapshot(f: FeedbackUsage): FeedbackSnapshot {
  return { used: { ...f.used }, unknown: { ...f.unknown }, newestId: f.newestId };
}

/** Who runs this process, for the registry's records. */
export function actorName(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}

/** `asked`: the params the caller gave, which the model is built from (a model holds asked-for values to the data, not its defaults). */
async function trainTracked(o: TrainJobOptions, log: InteractionLog, tracker: RunTracker, run: string, asked: Record<string, unknown>): Promise<TrainSummary> {
  const nUsers = log.users.size;
  const nItems = log.items.size;
  const hasRegions = log.userRegion.some((r) => r >= 0);
  const fitOptions = (phase: 'holdout' | 'final') => ({
    seed: o.seed ?? 42,
    userRegions: log.userRegion,
    ...(o.threads ? { threads: o.threads } : {}),
    ...(o.signal ? { signal: o.signal } : {}),
    onEpoch: (r: EpochReport) => {
      if (phase === 'final') steps.push({ step: r.epoch, values: { epoch_seconds: r.seconds, ...(r.loss !== undefined ? { loss: r.loss } : {}) } });
      o.onEpoch?.(phase, r);
    },
  });
  const steps: { step: number; values: Record<string, number> }[] = [];
  const base = {
    kind: o.kind,
    params: o.params,
    users: nUsers,
    items: nItems,
    interactions: log.count,
    ...(log.feedback ? { feedback: log.feedback } : {}),
    run,
  };
  let holdout: TrainSummary['holdout'];
  const k = o.k ?? 10;
  if ((o.holdout ?? 0.2) > 0) {
    const split = temporalSplit({
      users: log.user,
      items: log.item,
      times: log.time,
      values: log.value,
      nUsers,
      nItems,
      testFraction: o.holdout ?? 0.2,
      ...(o.minInteractions !== undefined ? { minInteractions: o.minInteractions } : {}),
    });
    const model = createRecommender(o.kind, asked);
    const t = performance.now();
    await model.fit(split.train, fitOptions('holdout'));
    const fitSeconds = (performance.now() - t) / 1000;
    const report = await rankingMetricsAtKParallel(model, split.train, split.test, { k, threads: o.threads ?? availableParallelism() });
    const baseline = async (scope: 'overall' | 'region'): Promise<MetricValues> => {
      const popular = createRecommender('popular', { scope });
      await popular.fit(split.train, { userRegions: log.userRegion });
      const { users: _users, ...values } = rankingMetricsAtK(popular, split.train, split.test, { k });
      return values;
    };
    const { users, ...metrics } = report;
    const popularity = await baseline('overall');
    const regionalPopularity = hasRegions ? await baseline('region') : undefined;
    holdout = {
      k,
      users,
      metrics,
      popularity,
      ...(regionalPopularity ? { regionalPopularity } : {}),
      liftPercent: liftPercent(metrics, popularity),
      fitSeconds,
    };
    o.logger.info(
      { kind: o.kind, ndcg: metrics.ndcg, popularityNdcg: popularity.ndcg, regionalPopularityNdcg: regionalPopularity?.ndcg, users, fitSeconds },
      'hold-out evaluated',
    );
    await tracker.logMetrics(run, {
      ...prefixed(`holdout.`, metrics),
      ...prefixed('popularity.', popularity),
      ...(regionalPopularity ? prefixed('popular_in_region.', regionalPopularity) : {}),
      'holdout.users': users,
      'holdout.k': k,
      'holdout.fit_seconds': fitSeconds,
    });
  }
  if (!o.save) return { ...base, ...(holdout ? { holdout } : {}) };

  const all = csrFromCoo({ rows: nUsers, cols: nItems, rowIdx: log.user, colIdx: log.item, values: log.value, duplicates: 'sum' });
  const model = createRecommender(o.kind, asked);
  const t = performance.now();
  await model.fit(all, fitOptions('final'));
  const fitSeconds = (performance.now() - t) / 1000;
  const trainedAt = new Date();
  const version = run;
  const manifest: ModelManifest = {
    version,
    kind: o.kind,
    params: o.params,
    trainedAt: trainedAt.toISOString(),
    users: nUsers,
    items: nItems,
    interactions: log.count,
    ...(holdout ? { holdout: { k, metrics: holdout.metrics, popularity: holdout.popularity, users: holdout.users } } : {}),
    ...(log.watermark ? { watermark: log.watermark } : {}),
  };
  const { prefix, artifacts } = await new ModelBundleStore(o.store).save(
    { manifest, model: encodeArtifact(model.toArtifact()), userIds: log.users.toArray(), itemIds: log.items.toArray(), seen: all },
    `artifacts/${run}`,
  );
  await tracker.logArtifacts(run, prefix, artifacts);
  await tracker.logMetrics(run, { fit_seconds: fitSeconds });
  for (const s of steps) await tracker.logMetrics(run, s.values, s.step);
  o.logger.info({ prefix, fitSeconds }, 'model saved');
  return { ...base, ...(holdout ? { holdout } : {}), saved: { prefix, version, fitSeconds } };
}

function prefixed(prefix: string, values: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [`${prefix}${k}`, v]));
}
