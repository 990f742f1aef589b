import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { S3ObjectStore } from '../../src/storage/s3-object-store.ts';
import { runCli } from '../support/run-cli.ts';
import { startS3rver, type S3rverServer } from '../support/s3rver.ts';

/** The same commands on a production-shaped bucket: a real S3-compatible server, chosen by configuration only. */
describe('pickwise on an S3 bucket (s3rver)', () => {
  let server: S3rverServer;
  let cwd: string;
  let env: Record<string, string>;
  beforeAll(async () => {
    server = await startS3rver('landing-zone');
    cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-s3-'));
    env = {
      PICKWISE_STORAGE__URL: 's3://landing-zone/dowhat/prod',
      PICKWISE_STORAGE__ENDPOINT: server.endpoint,
      PICKWISE_STORAGE__FORCE_PATH_STYLE: 'true',
      PICKWISE_STORAGE__REGION: 'us-east-1',
      PICKWISE_STORAGE__ACCESS_KEY_ID: 'S3RVER',
      PICKWISE_STORAGE__SECRET_ACCESS_KEY: 'S3RVER',
    };
  }, 30_000);
  afterAll(async () => {
    await server?.stop();
    await rm(cwd, { recursive: true, force: true });
  });

  it('generates into the bucket, ingests from it, backs up and quarantines in it', async () => {
    const gen = await runCli(['generate', '--users', '60', '--services', '12', '--reservations', '800', '--dirty', '0.03'], { cwd, env });
    expect(gen.code).toBe(0);
    expect(gen.stdout).toContain('s3://landing-zone/dowhat/prod');

    const ingest = await runCli(['--json', 'ingest'], { cwd, env });
    expect(ingest.code).toBe(0);
    const summary = JSON.parse(ingest.stdout) as { filesLoaded: number; files: { status: string; quarantineKey?: string }[] };
    expect(summary.filesLoaded).toBe(3);
    expect(ingest.stderr).not.toContain('S3RVER');

    const store = new S3ObjectStore({
      bucket: 'landing-zone',
      prefix: 'dowhat/prod',
      endpoint: server.endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
    });
    try {
      const keys: string[] = [];
      for await (const o of store.list('')) keys.push(o.key);
      expect(keys.filter((k) => k.startsWith('landing/'))).toEqual(['landing/reservations.csv', 'landing/services.csv', 'landing/users.csv']);
      expect(keys.filter((k) => k.startsWith('raw/'))).toHaveLength(3);
      expect(keys.filter((k) => k.startsWith('quarantine/')).length).toBeGreaterThan(0);
    } finally {
      await store.close();
    }
    const again = await runCli(['ingest'], { cwd, env });
    expect(again.stdout).toMatch(/No new landing files/);
  });
});
