import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createRecommender } from '../models/catalog.ts';
import { csrFromCoo, encodeArtifact } from '../models/core/index.ts';
import { loadTrainedModel, ModelBundleStore, recommendForUser } from '../registry/index.ts';
import { MemoryObjectStore } from '../storage/index.ts';
import { writeAllRecommendations } from './recommend-job.ts';

function sink(): { stream: Writable; text: () => string } {
  const chunks: string[] = [];
  return { stream: new Writable({ write: (c, _e, cb) => void (chunks.push(String(c)), cb()) }), text: () => chunks.join('') };
}

describe('recommendations from a saved model', () => {
  it('writes the same CSV with a worker thread as without, every user once, seen items excluded', async () => {
    const users = 230;
    const items = 40;
    const rowIdx: number[] = [];
    const colIdx: number[] = [];
    // Users 200–229 have no reservations: they get the popular list.
    for (let u = 0; u < 200; u++)
      for (let j = 0; j < 6; j++) {
        rowIdx.push(u);
        colIdx.push((u * 7 + j * 3) % items);
      }
    const seen = csrFromCoo({ rows: users, cols: items, rowIdx: Int32Array.from(rowIdx), colIdx: Int32Array.from(colIdx), duplicates: 'max' });
    const model = createRecommender('als', { factors: 8, iterations: 5 });
    await model.fit(seen, { seed: 1, threads: 1 });
    const store = new MemoryObjectStore();
    await new ModelBundleStore(store).save({
      manifest: {
        version: 'v1',
        kind: 'als',
        params: { factors: 8, iterations: 5 },
        trainedAt: '2026-01-01T00:00:00.000Z',
        users,
        items,
        interactions: rowIdx.length,
      },
      model: encodeArtifact(model.toArtifact()),
      userIds: Array.from({ length: users }, (_, u) => `u${u}`),
      itemIds: Array.from({ length: items }, (_, i) => `s${i}`),
      seen,
    });
    const loaded = await loadTrainedModel(store);
    const one = sink();
    const two = sink();
    expect(await writeAllRecommendations(loaded, 5, one.stream, { batchSize: 16, threads: 1 })).toBe(users * 5);
    expect(await writeAllRecommendations(loaded, 5, two.stream, { batchSize: 16, threads: 2 })).toBe(users * 5);
    expect(two.text()).toBe(one.text());
    const lines = one
      .text()
      .trim()
      .split('\n')
      .slice(1)
      .map((l) => l.split(','));
    expect(new Set(lines.map((l) => l[0])).size).toBe(users);
    const seenPairs = new Set(rowIdx.map((u, n) => `u${u},s${colIdx[n]}`));
    expect(lines.some((l) => seenPairs.has(`${l[0]},${l[1]}`))).toBe(false);
    const u3 = recommendForUser(loaded, 'u3', 5);
    expect(u3.basis).toBe('model');
    expect(u3.recommendations.map((r) => r.serviceId)).toEqual(lines.filter((l) => l[0] === 'u3').map((l) => l[1]));
    // A user without reservations: the most popular services, by number of users, in the CSV too.
    const counts = new Array<number>(items).fill(0);
    for (const i of colIdx) counts[i]!++;
    const popular = counts
      .map((n, i) => ({ n, i }))
      .sort((a, b) => b.n - a.n || a.i - b.i)
      .slice(0, 5);
    const cold = recommendForUser(loaded, 'u210', 5);
    expect(cold.basis).toBe('popular');
    expect(cold.recommendations.map((r) => [r.serviceId, r.score])).toEqual(popular.map((p) => [`s${p.i}`, p.n]));
    expect(lines.filter((l) => l[0] === 'u229').map((l) => l[1])).toEqual(popular.map((p) => `s${p.i}`));
  });
});
