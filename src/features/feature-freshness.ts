import type { Clock } from '../shared/index.ts';
import { FeatureSnapshotRepo, type Warehouse } from '../warehouse/index.ts';
import { buildFeatureTables, type FeatureBuildSummary } from './feature-tables.ts';

/**
 * Whether the latest feature snapshot describes the warehouse as it is. `fresh`: nothing changed after the
 * snapshot's watermark; `stale`: facts or dimension rows changed after it (e.g. a run was killed between its
 * load and the feature update); `missing`: the warehouse holds data but there is no snapshot; `empty`: neither.
 */
export interface FeatureFreshness {
  readonly state: 'fresh' | 'stale' | 'missing' | 'empty';
  readonly snapshot?: { readonly snapshotId: number; readonly asOf: string | null; readonly builtAt: string; readonly sourceUpdatedAt: string | null };
  /** Newest `updated_at` of any fact or dimension row. */
  readonly warehouseUpdatedAt: string | null;
  /** Why the snapshot is not fresh, for people. */
  readonly reason?: string;
}

/** A feature build made to keep the snapshot current, and why it was needed. */
export type FeatureRefresh = FeatureBuildSummary & { readonly because: string };

/** Compares the newest snapshot's watermark with the warehouse's newest change (see {@link FeatureFreshness}). */
export async function featureFreshness(warehouse: Warehouse): Promise<FeatureFreshness> {
  const repo = new FeatureSnapshotRepo(warehouse.db);
  const latest = await repo.latest();
  const warehouseUpdatedAt = await repo.newestSourceUpdate();
  if (latest === undefined) {
    if (warehouseUpdatedAt === null) return { state: 'empty', warehouseUpdatedAt };
    return { state: 'missing', warehouseUpdatedAt, reason: 'the warehouse holds data but has no feature snapshot (was a feature build interrupted?)' };
  }
  const snapshot = { snapshotId: latest.snapshotId, asOf: latest.asOf, builtAt: latest.builtAt, sourceUpdatedAt: latest.sourceUpdatedAt };
  if (warehouseUpdatedAt !== null && (latest.sourceUpdatedAt === null || warehouseUpdatedAt > latest.sourceUpdatedAt)) {
    const reason = `the warehouse changed at ${warehouseUpdatedAt}, after snapshot #${latest.snapshotId} was built (its data ends at ${latest.sourceUpdatedAt ?? 'an unknown time'})`;
    return { state: 'stale', snapshot, warehouseUpdatedAt, reason };
  }
  return { state: 'fresh', snapshot, warehouseUpdatedAt };
}

/**
 * Brings the feature snapshot up to date after `changed` data, or when it is missing or stale (a build that was
 * killed leaves the previous snapshot, or none, behind): an incremental build, which runs in full when it must.
 * Returns undefined when the snapshot already was current. Callers hold the run lock, like any build.
 */
export async function refreshFeatures(warehouse: Warehouse, o: { changed: boolean; clock?: Clock }): Promise<FeatureRefresh | undefined> {
  let because = 'new data was loaded';
  if (!o.changed) {
    const freshness = await featureFreshness(warehouse);
    if (freshness.state === 'fresh' || freshness.state === 'empty') return undefined;
    because = `repaired: ${freshness.reason}`;
  }
  const built = await buildFeatureTables(warehouse, { incremental: true, ...(o.clock ? { clock: o.clock } : {}) });
  return { ...built, because };
}
