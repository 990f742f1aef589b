import { createServer, type Server } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openWarehouse } from '../../src/warehouse/index.ts';
import { runCli } from '../support/run-cli.ts';

interface DemoResult {
  recommended: { recommendations: { rank: number; serviceId: string; score: number }[] };
  served: {
    url: string;
    recommendation_id: string;
    basis: string;
    model: { name: string | null; registry_version: number | null };
    items: { rank: number; service_id: string; score: number }[];
  };
}

/** `pickwise demo` ends with the champion's list served over HTTP, as a client of the API sees it. */
describe('pickwise demo', () => {
  let cwd: string;
  let busy: Server;
  let busyPort: number;
  beforeAll(async () => {
    cwd = await mkdtemp(path.join(tmpdir(), 'pickwise-demo-'));
    // Something already listens on the configured serve.port: the demo's one-request server must not need it.
    busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((resolve) => busy.close(resolve));
    await rm(cwd, { recursive: true, force: true });
  });

  it('serves the personalised list over HTTP, the same as recommend, and records it as served', async () => {
    const env = { PICKWISE_SERVE__PORT: String(busyPort) };
    const json = await runCli(['--json', 'demo'], { cwd, env });
    expect(json.code, json.stderr).toBe(0);
    const r = JSON.parse(json.stdout) as DemoResult;
    expect(r.served.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/v1\/users\/U0000002\/recommendations\?k=5$/);
    expect(r.served.url).not.toContain(`:${busyPort}/`);
    expect(r.served.basis).toBe('model');
    expect(r.served.model).toMatchObject({ name: 'als', registry_version: 1 });
    expect(r.served.items.map((x) => x.service_id)).toEqual(r.recommended.recommendations.slice(0, 5).map((x) => x.serviceId));
    expect(r.served.items).toHaveLength(5);

    const warehouse = await openWarehouse({ url: `sqlite:${path.join(cwd, '.pickwise', 'pickwise.db')}` });
    try {
      const list = await warehouse.db
        .selectFrom('recList')
        .select(['userId', 'modelName', 'registryVersion'])
        .where('recommendationId', '=', r.served.recommendation_id)
        .executeTakeFirst();
      expect(list).toEqual({ userId: 'U0000002', modelName: 'als', registryVersion: 1 });
    } finally {
      await warehouse.close();
    }

    // The text form says what was asked and shows the answer; a second run reuses the landed files.
    const text = await runCli(['demo'], { cwd, env });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(
      /== 6\. The same champion served over HTTP[^\n]*\n\$ curl 'http:\/\/127\.0\.0\.1:\d+\/v1\/users\/U0000002\/recommendations\?k=5'\nals@champion \(registry version 2\) for U0000002, list [0-9a-f-]{36}, basis model:\n {4}1\. S\d+/,
    );
    expect(text.stderr).not.toMatch(/"level":(40|50)/);
  }, 300_000);
});
