import { freePort as findClosedPort } from '../../test/support/free-port.ts';
import { startS3rver, type S3rverServer } from '../../test/support/s3rver.ts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../shared/errors.ts';
import { runObjectStoreContract } from './object-store.contract.ts';
import { S3ObjectStore } from './s3-object-store.ts';
import type { S3ObjectStoreOptions } from './s3-object-store.ts';

const BUCKET = 'pickwise-test';

let server: S3rverServer;
let endpoint: string;
let runs = 0;

beforeAll(async () => {
  server = await startS3rver(BUCKET);
  endpoint = server.endpoint;
}, 20_000);

afterAll(async () => server?.stop());

function options(prefix: string): S3ObjectStoreOptions {
  return {
    bucket: BUCKET,
    prefix,
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    accessKeyId: 'S3RVER',
    secretAccessKey: 'S3RVER',
    // Small pages so every listing in the contract crosses page boundaries.
    listPageSize: 2,
  };
}

// Each contract test gets its own prefix in the shared bucket, which also checks that prefixes isolate stores.
runObjectStoreContract('S3ObjectStore (s3rver)', async () => ({
  store: new S3ObjectStore(options(`contract/run-${++runs}`)),
  cleanup: async () => {},
}));

describe('S3ObjectStore specifics', () => {
  it('keys are relative to the prefix and stores with other prefixes do not see them', async () => {
    const a = new S3ObjectStore(options('tenant-a/'));
    const b = new S3ObjectStore(options('tenant-ab'));
    const whole = new S3ObjectStore(options(''));
    try {
      await a.put('x.csv', 'a');
      await b.put('x.csv', 'b');
      expect(a.url).toBe(`s3://${BUCKET}/tenant-a`);
      expect(whole.url).toBe(`s3://${BUCKET}`);
      const keysOf = async (s: S3ObjectStore, prefix: string): Promise<string[]> => {
        const out: string[] = [];
        for await (const o of s.list(prefix)) out.push(o.key);
        return out;
      };
      expect(await keysOf(a, '')).toEqual(['x.csv']);
      expect(await keysOf(whole, 'tenant-a')).toEqual(['tenant-a/x.csv', 'tenant-ab/x.csv']);
    } finally {
      await Promise.all([a.close(), b.close(), whole.close()]);
    }
  });

  it('rejects quickly with BackendUnavailableError naming bucket and endpoint, never credentials', async () => {
    const closedPort = await findClosedPort();
    const store = new S3ObjectStore({
      bucket: 'unreachable-bucket',
      prefix: 'p',
      endpoint: `http://127.0.0.1:${closedPort}`,
      forcePathStyle: true,
      accessKeyId: 'AKIDEXAMPLESECRETID',
      secretAccessKey: 'super-secret-key-value',
      maxAttempts: 1,
      connectTimeoutMs: 1_000,
    });
    const started = Date.now();
    try {
      for (const attempt of [() => store.stat('k'), () => store.put('k', 'v'), () => store.get('k')]) {
        const error = await attempt().then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(BackendUnavailableError);
        const message = (error as Error).message;
        expect(message).toContain('unreachable-bucket');
        expect(message).toContain(`127.0.0.1:${closedPort}`);
        expect(message).not.toContain('super-secret-key-value');
        expect(message).not.toContain('AKIDEXAMPLESECRETID');
      }
    } finally {
      await store.close();
    }
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
