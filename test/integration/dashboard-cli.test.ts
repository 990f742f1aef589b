import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/free-port.ts';
import { startCli } from '../support/run-cli.ts';

/** `pickwise dashboard` as a real process, over a warehouse without any model: the page and its data, no recommendation API. */
describe('pickwise dashboard', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'pickwise-dashboard-cli-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Starts `pickwise dashboard` on a free port and waits (bounded) until it answers. */
  async function dashboard(env: Record<string, string> = {}) {
    const port = await freePort();
    const run = startCli(['dashboard', '--port', String(port), '--host', '127.0.0.1'], {
      cwd: dir,
      env: { PICKWISE_HOME: path.join(dir, 'home'), PICKWISE_LOG__LEVEL: 'warn', ...env },
    });
    const base = `http://127.0.0.1:${port}`;
    for (let attempt = 0; attempt < 600; attempt++) {
      const up = await fetch(`${base}/healthz`).catch(() => undefined);
      if (up?.status === 200) return { run, base };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    run.child.kill('SIGKILL');
    throw new Error(`pickwise dashboard did not start: ${(await run.done).stderr}`);
  }

  it('serves the page and its assets over a warehouse without a model, and no recommendation API; stops on SIGTERM', async () => {
    const { run, base } = await dashboard();
    const page = await fetch(`${base}/dashboard`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('>Satisfaction over time</h2>');
    expect(html).toContain('data-with-api="false"');
    expect(html).toContain('API latency is measured by pickwise serve');
    expect((await fetch(`${base}/dashboard/assets/uPlot.iife.min.js`)).status).toBe(200);
    expect((await fetch(`${base}/dashboard/assets/dashboard.js`)).status).toBe(200);
    const recommendations = await fetch(`${base}/v1/users/U1/recommendations`);
    expect(recommendations.status).toBe(404);
    run.child.kill('SIGTERM');
    const done = await run.done;
    expect(done.code).toBe(0);
    expect(done.stderr).toContain(`pickwise dashboard on ${base}/dashboard`);
    expect(done.stdout).toContain(`stopped serving the dashboard at ${base} (SIGTERM)`);
  });

  it('asks for a key in the page when serve.keysForReads is on, and refreshes every monitoring.dashboardRefreshSeconds', async () => {
    const key = 'k'.repeat(20);
    const { run, base } = await dashboard({
      PICKWISE_SERVE__API_KEYS: key,
      PICKWISE_SERVE__KEYS_FOR_READS: 'true',
      PICKWISE_MONITORING__DASHBOARD_REFRESH_SECONDS: '12',
    });
    try {
      const html = await (await fetch(`${base}/dashboard`)).text();
      expect(html).toContain('data-key-required="true"');
      expect(html).toContain('data-refresh-seconds="12"');
      expect((await fetch(`${base}/v1/dashboard/summary`)).status).toBe(401);
      const summary = await fetch(`${base}/v1/dashboard/summary?window=7d`, { headers: { 'x-api-key': key } });
      expect(summary.status).toBe(200);
      expect(await summary.json()).toMatchObject({ window: '7d', rows: [] });
      const latency = await (await fetch(`${base}/v1/dashboard/latency`, { headers: { 'x-api-key': key } })).json();
      expect(latency).toMatchObject({ available: false });
    } finally {
      run.child.kill('SIGTERM');
      expect((await run.done).code).toBe(0);
    }
  });
});
