import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { refusedUrl, startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';
import { runCli } from '../support/run-cli.ts';

/** `pickwise alerts test` and `pickwise alerts list` as real processes, Slack being a loopback webhook receiver. */
describe('pickwise alerts', () => {
  let cwd: string;
  let receiver: WebhookReceiver | undefined;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-alerts-cli-'));
  });
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('alerts test sends one Block Kit message to the webhook and says so', async () => {
    receiver = await startWebhookReceiver([{ status: 200 }]);
    const r = await runCli(['alerts', 'test'], { cwd, env: { PICKWISE_ALERTS__SLACK__WEBHOOK_URL: receiver.url, PICKWISE_LOG__LEVEL: 'warn' } });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('log: test message delivered\nslack: test message delivered\n');
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.stringify(receiver.requests[0]!.body)).toContain('Test: pickwise-alerts-test');
  });

  it('alerts test fails with exit code 3, naming the cause and not the secret URL, when Slack answers 500', async () => {
    receiver = await startWebhookReceiver([{ status: 500, body: 'internal error' }]);
    const r = await runCli(['alerts', 'test', '--json'], {
      cwd,
      env: { PICKWISE_ALERTS__SLACK__WEBHOOK_URL: receiver.url, PICKWISE_ALERTS__SLACK__MAX_ATTEMPTS: '2', PICKWISE_LOG__LEVEL: 'warn' },
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^pickwise alerts test: test message not delivered: slack: Slack webhook at 127\.0\.0\.1:\d+ answered 500 "internal error" after 2 attempts\n$/,
    );
    expect(JSON.parse(r.stdout)).toEqual({ error: { code: 'BACKEND_UNAVAILABLE', message: expect.stringContaining('answered 500') } });
    expect(r.stdout + r.stderr).not.toContain(receiver.secret);
    expect(receiver.requests).toHaveLength(2);
  });

  it('alerts test names a refused connection and a timeout', async () => {
    const refused = await runCli(['alerts', 'test'], {
      cwd,
      env: { PICKWISE_ALERTS__SLACK__WEBHOOK_URL: await refusedUrl(), PICKWISE_ALERTS__SLACK__MAX_ATTEMPTS: '1' },
    });
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/slack: Slack webhook at 127\.0\.0\.1:\d+ connection refused \(1 attempt\)/);
    receiver = await startWebhookReceiver(['hang']);
    const slow = await runCli(['alerts', 'test'], {
      cwd,
      env: { PICKWISE_ALERTS__SLACK__WEBHOOK_URL: receiver.url, PICKWISE_ALERTS__SLACK__MAX_ATTEMPTS: '1', PICKWISE_ALERTS__SLACK__TIMEOUT_SECONDS: '0.3' },
    });
    expect(slow.code).toBe(3);
    expect(slow.stderr).toMatch(/no answer within 0\.3 s/);
    expect(slow.stderr).not.toContain(receiver.secret);
  });

  it('alerts test without Slack delivers to the log and says how to add Slack', async () => {
    const r = await runCli(['alerts', 'test'], { cwd, env: { PICKWISE_LOG__LEVEL: 'warn' } });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      'log: test message delivered\nSlack is not configured: set alerts.slack.webhookUrl (or PICKWISE_ALERTS__SLACK__WEBHOOK_URL) to an incoming-webhook URL.\n',
    );
  });

  it('alerts list shows the built-in rules, their states from the state file, and reads metrics with --now', async () => {
    const home = path.join(cwd, 'home');
    await mkdir(path.join(home, 'alerts'), { recursive: true });
    const state = {
      rule: 'ingest-failed',
      scope: 'all',
      phase: 'firing',
      since: '2026-06-01T10:00:00.000Z',
      lastValue: 2,
      lastEvents: 2,
      lastSubject: null,
      lastEvaluatedAt: '2026-06-01T10:05:00.000Z',
      hold: null,
      lastNotifiedAt: '2026-06-01T10:00:00.000Z',
      notified: true,
    };
    await writeFile(path.join(home, 'alerts', 'state.json'), JSON.stringify({ version: 1, savedAt: state.lastEvaluatedAt, rules: [state] }));
    const env = { PICKWISE_HOME: home, PICKWISE_LOG__LEVEL: 'warn' };
    const r = await runCli(['alerts', 'list'], { cwd, env });
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toBe(`alerts on, evaluated every 1m inside pickwise serve; states from home/alerts/state.json`);
    expect(lines[1]).toMatch(/^rule\s+metric\s+scope\s+condition\s+window\s+state\s+since \(UTC\)\s+last value\s+events$/);
    expect(lines.find((l) => l.startsWith('ingest-failed'))).toMatch(/^ingest-failed\s+ingest_failed\s+all\s+> 0\s+24h\s+firing\s+2026-06-01 10:00\s+2\s+2$/);
    expect(lines.find((l) => l.startsWith('cancel-rate-high'))).toMatch(
      /cancel_rate\s+serving-model\s+> 25\.0 % on ≥ 100 events for 30m\s+24h\s+not evaluated/,
    );
    expect(lines).toHaveLength(2 + 8);

    const json = await runCli(['alerts', 'list', '--now', '--json'], { cwd, env });
    expect(json.code).toBe(0);
    const listed = JSON.parse(json.stdout) as { rules: { name: string; phase: string; now: unknown }[] };
    expect(listed.rules.find((x) => x.name === 'ingest-failed')).toMatchObject({ phase: 'firing', now: { value: 0, events: 0, subject: null } });
    expect(listed.rules.find((x) => x.name === 'data-stale')).toMatchObject({
      phase: 'not evaluated',
      now: { reason: 'no reservations in the warehouse yet' },
    });
    expect(listed.rules.find((x) => x.name === 'api-p99')).toMatchObject({
      now: { reason: 'api_p99_ms is measured inside pickwise serve (the rule is evaluated there)' },
    });
  });

  it('alerts list leaves an unreadable state file in place and says so', async () => {
    const home = path.join(cwd, 'damaged');
    await mkdir(path.join(home, 'alerts'), { recursive: true });
    await writeFile(path.join(home, 'alerts', 'state.json'), 'not json');
    const r = await runCli(['alerts', 'list', '--log-format', 'json'], { cwd, env: { PICKWISE_HOME: home } });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('alert state file unreadable');
    expect(r.stdout).toMatch(/ingest-failed\s+ingest_failed\s+all\s+> 0\s+24h\s+not evaluated/);
    expect(existsSync(path.join(home, 'alerts', 'state.json'))).toBe(true);
  });

  it('refuses an invalid rule at start-up with a config error (exit code 2)', async () => {
    await writeFile(path.join(cwd, 'bad.yaml'), 'alerts:\n  rules:\n    - { name: x, metric: cancel_ratio, op: ">", threshold: 0.2 }\n');
    const r = await runCli(['--config', 'bad.yaml', 'alerts', 'list'], { cwd });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/alerts\.rules\.0\.metric: unknown metric "cancel_ratio"/);
  });
});
