import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, runCli } from '../support/run-cli.ts';

/** What a person sees of the CLI process itself: its version, and logs readable on a terminal, JSON for machines. */
describe('pickwise as a process', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-process-'));
  });
  afterAll(async () => rm(cwd, { recursive: true, force: true }));

  it('prints its version: the package version and the git commit', async () => {
    const { version } = (await import('../../package.json', { with: { type: 'json' } })).default;
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: REPO_ROOT }).toString().trim();
    for (const flag of ['--version', '-V']) {
      const r = await runCli([flag], { cwd });
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(`pickwise@${version}+${commit}`);
    }
  });

  it('logs JSON lines when stderr is piped or with --json, readable lines with --log-format pretty', async () => {
    await runCli(['generate', '--users', '30', '--services', '5', '--reservations', '200'], { cwd });
    const piped = await runCli(['--database-url', `sqlite:${cwd}/piped.db`, 'ingest'], { cwd });
    expect(piped.code).toBe(0);
    const line = piped.stderr.split('\n').find((l) => l.includes('file loaded'));
    expect(JSON.parse(line ?? 'no log line')).toMatchObject({ level: 30, msg: 'file loaded', file: 'landing/users.csv' });

    const pretty = await runCli(['--log-format', 'pretty', 'ingest'], { cwd });
    expect(pretty.code).toBe(0);
    expect(pretty.stderr).toMatch(/^\d{2}:\d{2}:\d{2} info {2}file loaded \{.*"file":"landing\/users\.csv"/m);
    expect(pretty.stderr).not.toMatch(/"level":/);

    const json = await runCli(['--json', '--log-level', 'debug', 'status'], { cwd });
    expect(json.code).toBe(0);
    expect(() => JSON.parse(json.stdout)).not.toThrow();
    for (const l of json.stderr.split('\n').filter(Boolean)) expect(() => JSON.parse(l)).not.toThrow();

    const bad = await runCli(['--log-format', 'fancy', 'status'], { cwd });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/log\.format/);
  });

  it('logs readable lines when stderr is a terminal', async () => {
    // `script` gives the command a pseudo-terminal, as when a person types it.
    const node = process.execPath;
    const bin = path.join(REPO_ROOT, 'bin', 'pickwise.js');
    const out = execFileSync('script', ['-qec', `${node} ${bin} --database-url sqlite:${cwd}/tty.db ingest`, '/dev/null'], { cwd }).toString();
    expect(out).toMatch(/\d{2}:\d{2}:\d{2} info {2}file loaded/);
    expect(out).not.toMatch(/"level":30/);
  });
});
