import { channel } from 'node:diagnostics_channel';
import { toUtcText, systemClock, type Clock } from '../shared/index.ts';
import { FeatureRepo, FeatureSnapshotRepo, type Warehouse } from '../warehouse/index.ts';
import { FeatureAggregator } from './feature-aggregator.ts';
import { planIncrementalBuild } from './incremental-features.ts';
import { parseWarehouseTime } from './interaction-log.ts';

/** How many feature snapshots are kept; older ones are deleted by the build that makes a newer one. */
export const KEPT_FEATURE_SNAPSHOTS = 3;

/**
 * Diagnostics channel on which a build publishes `{ phase: 'writing', snapshotId }` inside its transaction, after
 * the snapshot row and before the commit; monitoring (or a test that interrupts a build there) subscribes.
 */
export const FEATURE_BUILD_CHANNEL = 'pickwise:features:build';
const buildChannel = channel(FEATURE_BUILD_CHANNEL);

const DAY_MS = 86_400_000;

/** A `feat_snapshot` row. */
export interface FeatureSnapshot {
  readonly snapshotId: number;
  /** Newest `reserved_at` covered (warehouse UTC text), or null when there were no reservations. */
  readonly asOf: string | null;
  readonly builtAt: string;
  /** Rows of `feat_user` / `feat_service` in this snapshot. */
  readonly users: number;
  readonly services: number;
}

/** What one build made, for the CLI and logs. */
export interface FeatureBuildSummary {
  readonly snapshotId: number;
  readonly asOf: string | null;
  readonly users: number;
  readonly services: number;
  /** 'incremental': only rows whose sources changed since the previous snapshot were recomputed. */
  readonly mode: 'full' | 'incremental';
  /** Why a requested incremental build ran in full (no previous snapshot, a new as-of year, …). */
  readonly fullBecause?: string;
  readonly recomputedUsers: number;
  readonly recomputedServices: number;
  readonly seconds: number;
}

export interface FeatureBuildOptions {
  readonly clock?: Clock;
  /**
   * Recompute only the users and services whose facts or dimension rows changed since the latest snapshot
   * (and the services whose 7/30-day windows or price band may have moved), carrying the other rows over.
   * Falls back to a full build when that would not be exact or not cheaper. Default false.
   */
  readonly incremental?: boolean;
  /** An incremental build recomputing more than this share of all rows runs in full instead (default 0.5). */
  readonly maxIncrementalShare?: number;
}

/**
 * Builds a new feature snapshot from the star schema: a `feat_snapshot` row, one `feat_user` row per `dim_user`
 * and one `feat_service` row per `dim_service`, aggregating every reservation up to the newest `reserved_at`
 * (the snapshot's `as_of`). The facts are read in one streamed scan and aggregated in memory
 * ({@link FeatureAggregator}); the snapshot is then written in one transaction, which also deletes snapshots
 * beyond the latest {@link KEPT_FEATURE_SNAPSHOTS}, so readers never see a partial one. With `incremental`, rows
 * whose sources did not change are copied from the previous snapshot (see {@link planIncrementalBuild}); the
 * result is the same as a full build's.
 *
 * Callers hold the warehouse's run lock (see acquireRunLock): the reads happen before the write transaction and
 * rely on no load running meanwhile. An empty warehouse is not an error: it gives a snapshot with no rows and a
 * null `as_of`. Without reservations, age bands are relative to the build's year.
 */
export async function buildFeatureTables(warehouse: Warehouse, options: FeatureBuildOptions = {}): Promise<FeatureBuildSummary> {
  const started = performance.now();
  const builtAt = (options.clock ?? systemClock)();
  const { db, dialect } = warehouse;
  const features = new FeatureRepo(db, dialect);
  const snapshots = new FeatureSnapshotRepo(db);
  const asOf = await features.newestReservation();
  const sourceUpdatedAt = await snapshots.newestSourceUpdate();
  const plan = options.incremental ? await planIncrementalBuild(snapshots, { asOf, builtAt, maxShare: options.maxIncrementalShare ?? 0.5 }) : undefined;
  const referenceYear = asOf === null ? builtAt.getUTCFullYear() : Number(asOf.slice(0, 4));
  // With no reservations nothing is aggregated, so any cut-off will do.
  const asOfMs = asOf === null ? 0 : parseWarehouseTime(asOf);
  const [users, services] = [await features.users(), await features.services()];
  const aggregator = new FeatureAggregator({
    asOf,
    cutoff7: toUtcText(new Date(asOfMs - 7 * DAY_MS)),
    cutoff30: toUtcText(new Date(asOfMs - 30 * DAY_MS)),
    categoryOf: new Map(services.map((s) => [s.serviceKey, s.categoryKey])),
    maxUserKey: users.reduce((max, u) => Math.max(max, u.userKey), 0),
  });
  let recomputeUsers = users;
  let recomputeServices = services;
  if (plan?.kind === 'incremental') {
    const userSet = new Set(plan.users);
    const serviceSet = new Set(plan.services);
    recomputeUsers = users.filter((u) => userSet.has(u.userKey));
    recomputeServices = services.filter((s) => serviceSet.has(s.serviceKey));
    if (plan.users.length > 0) await features.scanFacts({ userKeys: plan.users }, (f) => aggregator.addUserFact(f));
    if (plan.services.length > 0) await features.scanFacts({ serviceKeys: plan.services }, (f) => aggregator.addServiceFact(f));
  } else {
    await features.scanFacts(undefined, (f) => aggregator.addFact(f));
  }
  const mode = plan?.kind === 'incremental' ? ('incremental' as const) : ('full' as const);

  const result = await db.transaction().execute(async (trx) => {
    const written = new FeatureSnapshotRepo(trx);
    const snapshotId = await written.insert({ asOf, builtAt: toUtcText(builtAt), sourceUpdatedAt, buildMode: mode });
    if (buildChannel.hasSubscribers) buildChannel.publish({ phase: 'writing', snapshotId });
    if (plan?.kind === 'incremental') await written.carryOver({ previous: plan.previous, snapshotId, users: plan.users, services: plan.services });
    const rows = new FeatureRepo(trx, dialect);
    await rows.insertUserFeatures(aggregator.userRows(snapshotId, recomputeUsers, referenceYear));
    await rows.insertServiceFeatures(aggregator.serviceRows(snapshotId, recomputeServices, services));
    const counts = await written.finish(snapshotId, { users: recomputeUsers.length, services: recomputeServices.length });
    await written.keepNewest(KEPT_FEATURE_SNAPSHOTS);
    return { snapshotId, ...counts };
  });
  return {
    snapshotId: result.snapshotId,
    asOf,
    users: result.users,
    services: result.services,
    mode,
    ...(plan?.kind === 'full' ? { fullBecause: plan.because } : {}),
    recomputedUsers: recomputeUsers.length,
    recomputedServices: recomputeServices.length,
    seconds: (performance.now() - started) / 1000,
  };
}

/** The newest feature snapshot, or undefined before the first build. */
export async function latestFeatureSnapshot(warehouse: Warehouse): Promise<FeatureSnapshot | undefined> {
  const row = await new FeatureSnapshotRepo(warehouse.db).latest();
  if (row === undefined) return undefined;
  return { snapshotId: row.snapshotId, asOf: row.asOf, builtAt: row.builtAt, users: row.users, services: row.services };
}
