import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { csrFromCoo } from '../models/core/index.ts';
import { MemoryObjectStore, type ObjectStore } from '../storage/index.ts';
import { CorruptRunArtifactError, type ArtifactDigests } from './artifact-digests.ts';
import { ModelBundleStore } from './model-bundle-store.ts';

async function bytesOf(store: ObjectStore, key: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of await store.get(key)) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** A small bundle under `artifacts/r1` and the digests a run would have recorded for it. */
async function saved(): Promise<{ store: MemoryObjectStore; digests: ArtifactDigests; reads: string[] }> {
  const reads: string[] = [];
  const store = new MemoryObjectStore();
  const get = store.get.bind(store);
  store.get = async (key: string) => (reads.push(key), get(key));
  const seen = csrFromCoo({ rows: 2, cols: 3, rowIdx: Int32Array.from([0, 1]), colIdx: Int32Array.from([2, 0]), duplicates: 'max' });
  const written = await new ModelBundleStore(store).save(
    {
      manifest: { version: 'v1', kind: 'popular', params: {}, trainedAt: '2026-01-01T00:00:00.000Z', users: 2, items: 3, interactions: 2 },
      model: Uint8Array.from([1, 2, 3, 4]),
      userIds: ['u1', 'u2'],
      itemIds: ['s1', 's2', 's3'],
      seen,
    },
    'artifacts/r1',
  );
  // What save reports is what the store holds.
  expect(written.prefix).toBe('artifacts/r1');
  expect(written.artifacts.map((a) => a.key).sort()).toEqual([
    'artifacts/r1/ids.json',
    'artifacts/r1/manifest.json',
    'artifacts/r1/model.pwm',
    'artifacts/r1/seen.pwm',
  ]);
  const byKey = new Map<string, { size: number; sha256: string }>();
  for (const a of written.artifacts) {
    const bytes = await bytesOf(store, a.key);
    expect({ size: a.size, sha256: a.sha256 }).toEqual({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    byKey.set(a.key, { size: a.size, sha256: a.sha256 });
  }
  reads.length = 0;
  return { store, digests: { runId: 'r1', byKey }, reads };
}

describe('model bundles checked against recorded digests', () => {
  it('loads an intact bundle reading each file once', async () => {
    const { store, digests, reads } = await saved();
    const bundle = await new ModelBundleStore(store).load('artifacts/r1', digests);
    expect(bundle.userIds).toEqual(['u1', 'u2']);
    expect([...bundle.model]).toEqual([1, 2, 3, 4]);
    expect(reads.sort()).toEqual(['artifacts/r1/ids.json', 'artifacts/r1/manifest.json', 'artifacts/r1/model.pwm', 'artifacts/r1/seen.pwm']);
  });

  it('refuses a changed, a missing or an unrecorded file, naming it', async () => {
    const changed = await saved();
    await changed.store.put('artifacts/r1/model.pwm', Uint8Array.from([1, 2, 3, 5]));
    await expect(new ModelBundleStore(changed.store).load('artifacts/r1', changed.digests)).rejects.toThrow(
      /artifact artifacts\/r1\/model\.pwm of run r1 has changed since it was recorded \(4 bytes/,
    );

    const missing = await saved();
    await missing.store.delete('artifacts/r1/seen.pwm');
    const error = await new ModelBundleStore(missing.store).load('artifacts/r1', missing.digests).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CorruptRunArtifactError);
    expect((error as Error).message).toMatch(/artifact artifacts\/r1\/seen\.pwm of run r1 is missing from/);

    const unrecorded = await saved();
    const byKey = new Map(unrecorded.digests.byKey);
    byKey.delete('artifacts/r1/ids.json');
    await expect(new ModelBundleStore(unrecorded.store).load('artifacts/r1', { runId: 'r1', byKey })).rejects.toThrow(
      /object artifacts\/r1\/ids\.json is not among the recorded artifacts of run r1/,
    );
    // Without digests (the newest trained model, not a registered version) nothing is checked.
    await changed.store.put('artifacts/r1/model.pwm', Uint8Array.from([9]));
    expect([...(await new ModelBundleStore(changed.store).load('artifacts/r1')).model]).toEqual([9]);
  });
});
