import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';

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

/** A real S3-compatible server (s3rver, from npm) on a loopback port, with one bucket. Credentials: S3RVER/S3RVER. */
export interface S3rverServer {
  readonly endpoint: string;
  readonly bucket: string;
  stop(): Promise<void>;
}

export async function startS3rver(bucket: string): Promise<S3rverServer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-s3rver-'));
  const modulePath = createRequire(import.meta.url).resolve('s3rver');
  const child: ChildProcess = spawn(process.execPath, ['--openssl-legacy-provider', '-e', S3RVER_CHILD, modulePath, dir, bucket], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const [line] = (await Promise.race([
    once(createInterface({ input: child.stdout! }), 'line'),
    once(child, 'exit').then(([code]) => Promise.reject(new Error(`s3rver exited early with code ${String(code)}`))),
  ])) as [string];
  const { port } = JSON.parse(line) as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    async stop() {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.stdin?.end();
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}
