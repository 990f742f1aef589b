import { describe, expect, it } from 'vitest';
import { csrFromCoo, ItemKnnRecommender, PopularRecommender, type Recommender, type TopK } from '../models/index.ts';
import type { LoadedModel } from './loaded-model.ts';
import { RecentHistory, type RecentReservation } from './recent-history.ts';
import { topForUser } from './recommend-for-user.ts';

const ITEMS = ['S0', 'S1', 'S2', 'S3', 'S4', 'S5'];
const itemIndex = new Map(ITEMS.map((id, i) => [id, i]));
const row = (reservationKey: number, userId: string, serviceId: string, status: RecentReservation['status'] = 'completed', rating: number | null = null) => ({
  reservationKey,
  userId,
  serviceId,
  status,
  rating,
});

describe('RecentHistory', () => {
  it('sums each user’s recent items with training’s weights; a re-read reservation replaces itself, a cancel takes it away', () => {
    const h = new RecentHistory({ itemIndex, maxUsers: 10 });
    h.add([row(1, 'U1', 'S2', 'reserved'), row(2, 'U1', 'S2'), row(3, 'U1', 'S0', 'completed', 5), row(4, 'U2', 'NEW')]);
    expect(h.forUser('U1')).toEqual({ items: Int32Array.of(0, 2), values: Float32Array.of(1.5, 1.5) });
    expect(h.forUser('U2')).toBeUndefined(); // a service the model does not know is left out
    expect([h.users, h.reservations]).toEqual([1, 3]);
    h.add([row(1, 'U1', 'S2', 'completed'), row(3, 'U1', 'S0', 'canceled')]);
    expect(h.forUser('U1')).toEqual({ items: Int32Array.of(2), values: Float32Array.of(2) });
    h.add([row(1, 'U1', 'S2', 'canceled'), row(2, 'U1', 'S2', 'canceled')]);
    expect(h.forUser('U1')).toBeUndefined();
    expect([h.users, h.reservations]).toEqual([0, 0]);
  });

  it('holds at most maxUsers users: reservations of the others are counted and dropped, held users still change', () => {
    const h = new RecentHistory({ itemIndex, maxUsers: 2 });
    h.add([row(1, 'U1', 'S0'), row(2, 'U2', 'S1'), row(3, 'U3', 'S2'), row(4, 'U1', 'S3')]);
    expect([...h.userIds()].sort()).toEqual(['U1', 'U2']);
    expect(h.droppedReservations).toBe(1);
    expect(h.forUser('U1')?.items).toEqual(Int32Array.of(0, 3));
  });
});

/** A loaded model over six services: users 0 and 2 reserve 0, 1 (and 4); users 1 and 3 reserve 2, 3 (and 5). */
async function loaded(model: Recommender): Promise<LoadedModel> {
  const rows = [0, 0, 1, 1, 2, 2, 2, 3, 3, 3];
  const cols = [0, 1, 2, 3, 0, 1, 4, 2, 3, 5];
  const seen = csrFromCoo({ rows: 5, cols: 6, rowIdx: Int32Array.from(rows), colIdx: Int32Array.from(cols), values: new Float32Array(rows.length).fill(1) });
  await model.fit(seen, { seed: 1 });
  const fallback = new PopularRecommender();
  await fallback.fit(seen);
  const userIds = ['U0', 'U1', 'U2', 'U3', 'U4'];
  return {
    manifest: { version: 'v', kind: model.kind, params: {}, trainedAt: '2024-01-01T00:00:00.000Z', users: 5, items: 6, interactions: rows.length },
    model,
    modelBytes: new Uint8Array(0),
    userIds,
    itemIds: ITEMS,
    userIndex: new Map(userIds.map((id, i) => [id, i])),
    itemIndex,
    seen,
    fallback,
  };
}
const ids = (top: TopK) => [...top.ids.subarray(0, top.k)].filter((i) => i >= 0);

describe('topForUser with recent reservations', () => {
  it('folds a known user’s trained row and recent items in, every reserved service excluded', async () => {
    const m = await loaded(new ItemKnnRecommender({ neighbours: 5 }));
    const before = ids(topForUser(m, 'U0', 3).top);
    expect(before[0]).toBe(4);
    const recent = { items: Int32Array.of(2), values: Float32Array.of(1) };
    const after = topForUser(m, 'U0', 3, undefined, { recent });
    expect(after.basis).toBe('model');
    expect(ids(after.top)).not.toContain(2);
    expect(ids(after.top).some((i) => i === 0 || i === 1)).toBe(false);
    expect(before).not.toContain(3);
    expect(ids(after.top)).toContain(3); // what goes with the new reservation now shows
    expect(ids(topForUser(m, 'U0', 3, undefined, { recent, excludeSeen: false }).top)).toEqual(
      ids(topForUser(m, 'U0', 3, undefined, { excludeSeen: false }).top),
    );
    // A user the model does not know, with recent reservations: the fold-in list instead of a NotFoundError.
    const unknown = topForUser(m, 'NEW', 2, undefined, { recent });
    expect(unknown.basis).toBe('model');
    expect(ids(unknown.top)[0]).toBe(3);
    expect(() => topForUser(m, 'NEW', 2)).toThrow(/is not in the model/);
    // A known user without trained reservations (U4) gets the fold-in of the recent ones alone.
    expect(topForUser(m, 'U4', 2, undefined, { recent }).basis).toBe('model');
    // Filters (candidates) still apply.
    expect(ids(topForUser(m, 'U0', 3, Int32Array.of(4, 5), { recent }).top).every((i) => i === 4 || i === 5)).toBe(true);
  });

  it('a model without fold-in keeps its list without the recent services, refilled to k', async () => {
    const m = await loaded(new PopularRecommender());
    const before = ids(topForUser(m, 'U0', 3).top);
    const recent = { items: Int32Array.of(before[0]!), values: Float32Array.of(1) };
    const after = topForUser(m, 'U0', 3, undefined, { recent });
    expect(after.basis).toBe('model');
    expect(ids(after.top)).toEqual([...before.slice(1), ...ids(topForUser(m, 'U0', 4).top).slice(3)]);
    const unknown = topForUser(m, 'NEW', 2, undefined, { recent });
    expect(unknown.basis).toBe('popular');
    expect(ids(unknown.top)).not.toContain(before[0]);
    expect(ids(unknown.top)).toHaveLength(2);
  });
});
