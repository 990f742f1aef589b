import { toUtcText } from '../shared/index.ts';
import type { FeatureSnapshotRepo } from '../warehouse/index.ts';
import { parseWarehouseTime } from './interaction-log.ts';

/** The longest look-back of any windowed feature (feat_service.reservations_last30d). */
const LONGEST_WINDOW_MS = 30 * 86_400_000;

/** What an incremental build recomputes, or why it has to be a full build. */
export type IncrementalPlan =
  | { readonly kind: 'full'; readonly because: string }
  | { readonly kind: 'incremental'; readonly previous: number; readonly users: readonly number[]; readonly services: readonly number[] };

/**
 * The rows of the next snapshot that can differ from the latest one's: users and services with a fact or a
 * dimension row changed after its watermark; services with reservations in the 30 days before its `as_of`
 * when `as_of` moved (their 7- and 30-day counts shift); every service of a category in which a service
 * changed (price bands are terciles within the category). A full build is planned when there is no earlier
 * snapshot or watermark, when age bands move to a new year, when a service changed category (favourite
 * categories of its customers would move), or when more than `maxShare` of all rows changed anyway (a full
 * build is then about as cheap).
 */
export async function planIncrementalBuild(
  snapshots: FeatureSnapshotRepo,
  o: { asOf: string | null; builtAt: Date; maxShare: number },
): Promise<IncrementalPlan> {
  const full = (because: string): IncrementalPlan => ({ kind: 'full', because });
  const previous = await snapshots.latest();
  if (previous === undefined) return full('there is no earlier snapshot');
  const since = previous.sourceUpdatedAt;
  if (since === null) return full('the latest snapshot records no change watermark');
  // Age bands are relative to the as-of year (the build's year without reservations).
  const previousYear = Number((previous.asOf ?? previous.builtAt).slice(0, 4));
  const year = o.asOf !== null ? Number(o.asOf.slice(0, 4)) : o.builtAt.getUTCFullYear();
  if (previousYear !== year) return full('age bands move to a new year');

  const users = new Set<number>();
  const services = new Set<number>();
  for (const r of await snapshots.changedFacts(since)) {
    users.add(r.userKey);
    services.add(r.serviceKey);
  }
  for (const userKey of await snapshots.changedUsers(since)) users.add(userKey);

  const changedServices = await snapshots.changedServices(since);
  if (changedServices.length > 0) {
    const before = await snapshots.snapshotCategories(
      previous.snapshotId,
      changedServices.map((s) => s.serviceKey),
    );
    if (changedServices.some((s) => before.has(s.serviceKey) && before.get(s.serviceKey) !== s.categoryKey)) return full('a service changed category');
    for (const serviceKey of await snapshots.servicesInCategories([...new Set(changedServices.map((s) => s.categoryKey))])) services.add(serviceKey);
  }

  if (o.asOf !== previous.asOf && previous.asOf !== null) {
    const from = toUtcText(new Date(parseWarehouseTime(previous.asOf) - LONGEST_WINDOW_MS));
    for (const serviceKey of await snapshots.servicesReservedSince(from)) services.add(serviceKey);
  }

  const total = await snapshots.dimensionRows();
  if (users.size + services.size > o.maxShare * total) return full(`most rows changed (${users.size + services.size} of ${total})`);
  const sorted = (keys: Set<number>): number[] => [...keys].sort((a, b) => a - b);
  return { kind: 'incremental', previous: previous.snapshotId, users: sorted(users), services: sorted(services) };
}
