/*
 * GcsObjectStore runs the contract through the REAL @google-cloud/storage client, but against a FAKE server
 * (test/support/fake-gcs-server.ts): no GCS emulator is installable here — fake-gcs-server is a Go binary and the
 * Firebase Storage emulator downloads a JAR, and only the npm registry and Debian packages are reachable. The fake
 * implements the JSON API subset the adapter uses, so this proves the adapter's use of the client library and its
 * error mapping, not compatibility with every detail of real GCS. Point `apiEndpoint` at a real emulator
 * (e.g. fake-gcs-server) to check the same contract against one.
 */
import { Storage } from '@google-cloud/storage';
import { freePort as findClosedPort } from '../../test/support/free-port.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeGcsServer } from '../../test/support/fake-gcs-server.ts';
import type { FakeGcsServer } from '../../test/support/fake-gcs-server.ts';
import { BackendUnavailableError } from '../shared/errors.ts';
import { GcsObjectStore } from './gcs-object-store.ts';
import type { GcsStorageLike } from './gcs-object-store.ts';
import { runObjectStoreContract } from './object-store.contract.ts';

const BUCKET = 'pickwise-test';
let fake: FakeGcsServer;
let runs = 0;

beforeAll(async () => {
  fake = await startFakeGcsServer({ buckets: [BUCKET] });
});

afterAll(async () => {
  await fake?.close();
});

function storeAt(prefix: string): GcsObjectStore {
  return new GcsObjectStore({
    bucket: BUCKET,
    prefix,
    apiEndpoint: fake.url,
    projectId: 'pickwise-test',
    // Small pages so every listing in the contract crosses page boundaries.
    listPageSize: 2,
  });
}

runObjectStoreContract('GcsObjectStore (real client, fake GCS JSON API)', async () => ({
  store: storeAt(`contract/run-${++runs}`),
  cleanup: async () => {},
}));

describe('GcsObjectStore specifics', () => {
  it('accepts the real Storage client as GcsStorageLike', async () => {
    const storage: GcsStorageLike = new Storage({ apiEndpoint: fake.url, projectId: 'pickwise-test' });
    const store = new GcsObjectStore({ bucket: BUCKET, prefix: 'injected', storage: () => storage });
    await store.put('k.txt', 'v');
    expect(store.url).toBe(`gs://${BUCKET}/injected`);
    expect((await storeAt('').stat('injected/k.txt'))?.size).toBe(1);
  });

  it('rejects quickly with BackendUnavailableError naming bucket and endpoint', async () => {
    const closedPort = await findClosedPort();
    const store = new GcsObjectStore({
      bucket: 'unreachable-bucket',
      prefix: 'p',
      apiEndpoint: `http://127.0.0.1:${closedPort}`,
      maxRetries: 0,
    });
    const started = Date.now();
    for (const attempt of [() => store.stat('k'), () => store.put('k', 'v'), () => store.get('k')]) {
      const error = await attempt().then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(BackendUnavailableError);
      expect((error as Error).message).toContain('unreachable-bucket');
      expect((error as Error).message).toContain(`127.0.0.1:${closedPort}`);
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
