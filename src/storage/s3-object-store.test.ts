import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { freePort as findClosedPort } from '../../test/support/free-port.ts';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackendUnavailableError } from '../shared/errors.ts';
import { runObjectStoreContract } from './object-store.contract.ts';
import { S3ObjectStore } from './s3-object-store.ts';
import type { S3ObjectStoreOptions } from './s3-object-store.ts';

const BUCKET = 'pickwise-test';

/**
 * s3rver runs in a child Node process because its ListObjectsV2 continuation tokens use DES, which OpenSSL 3 only
 * offers through the legacy provider; enabling that in the test worker itself would weaken crypto for everything else.
 * The child exits when its stdin closes, so it cannot outlive a crashed test run.
 */
const S3RVER_CHILD = `
const [modulePath, directory, bucket] = process.argv.slice(1);
const S3rver = require(modulePath);
const server = new S3rver({ address: '127.0.0.1', port: 0, directory, silent: true, configureBuckets: [{ name: bucket }] });
server.run().then((address) => process.stdout.write(JSON.stringify({ port: address.port }) + '\\n'));
const stop = () => server.close().finally(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
`;

let child: ChildProcess | undefined;
let dir: string;
let endpoint: string;
let runs = 0;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'pickwise-s3rver-'));
  const modulePath = createRequire(import.meta.url).resolve('s3rver');
  child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', S3RVER_CHILD, modulePath, dir, BUCKET], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`s3rver exited early with code ${String(code)}`))),
  ])) as [string];
  const { port } = JSON.parse(line) as { port: number };
  endpoint = `http://127.0.0.1:${port}`;
}, 20_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    const exited = once(child, 'exit');
    child.stdin?.end();
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

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
