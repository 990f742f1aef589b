import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../src/config/index.ts';
import { promoteVersion, runTrainJob } from '../../src/pipeline/index.ts';
import { startServer, type RunningServer } from '../../src/serve/index.ts';
import { silentLogger } from '../../src/shared/logger.ts';
import { warehouseBackends } from '../support/backends.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';
import { startWebhookReceiver, type WebhookReceiver } from '../support/webhook-receiver.ts';

/** Alert rules evaluated inside `pickwise serve`, notifying a loopback Slack webhook receiver. */
describe('alerting inside the server', () => {
  let fx: IngestFixture;
  let url: string;
  let home: string;
  let server: RunningServer;
  let receiver: WebhookReceiver;
  const backend = warehouseBackends()[0]!;
  const logger = silentLogger();

  beforeAll(async () => {
    url = await backend.newDatabaseUrl('serve_alerts');
    home = await mkdtemp(path.join(tmpdir(), 'pickwise-serve-alerts-'));
    fx = await createIngestFixture(url);
    await fx.landGenerated({ users: 60, services: 15, reservations: 600, seed: 3 });
    await fx.ingest();
    await runTrainJob({
      warehouse: fx.warehouse,
      store: fx.store,
      kind: 'popular',
      params: {},
      logger,
      save: true,
      threads: 1,
      registerAs: 'shop',
      holdout: 0,
    });
    await promoteVersion({ warehouse: fx.warehouse, store: fx.store, logger, name: 'shop', version: 1, alias: 'champion', actor: 'test' });
    receiver = await startWebhookReceiver([{ status: 200 }]);
    const config = configSchema.parse({
      serve: { port: 0, modelName: 'shop', pollSeconds: 3600 },
      alerts: {
        evaluateEvery: '1h',
        dashboardUrl: 'http://127.0.0.1:8080/dashboard',
        slack: { webhookUrl: receiver.url },
        rules: [
          { name: 'slow-api', metric: 'api_p99_ms', op: '>', threshold: 0, window: '1h', minEvents: 5 },
          { name: 'api-errors', metric: 'api_error_rate', op: '>', threshold: 0.5, window: '1h', minEvents: 5 },
          { name: 'stale', metric: 'data_age_hours', op: '>', threshold: 1, window: '1h' },
          { name: 'cancels', metric: 'cancel_rate', scope: 'serving-model', op: '>', threshold: 0.2, window: '1h' },
        ],
      },
    });
    server = await startServer({ warehouse: fx.warehouse, store: fx.store, config: config.serve, logger, alerts: { config: config.alerts, home } });
  });
  afterAll(async () => {
    await server?.close();
    await receiver?.close();
    await fx.close();
    await backend.dropDatabase(url);
    await rm(home, { recursive: true, force: true });
  });

  it('evaluates the rules in-process: serving metrics from its own responses, warehouse metrics from the warehouse', async () => {
    const alerting = server.alerting!;
    // The first cycle ran at start: the generated reservations are old (stale fires); no responses yet (held).
    const first = await alerting.alerting.evaluateOnce();
    expect(first.states.get('slow-api')).toMatchObject({ phase: 'ok', hold: 'too few events: 0 < minEvents 5' });
    for (let i = 0; i < 6; i++) expect((await fetch(`${server.url}/v1/users/U0000010/recommendations?k=3`)).status).toBe(200);
    const second = await alerting.alerting.evaluateOnce();
    expect(second.notifications.map((n) => n.rule)).toEqual(['slow-api']);
    expect(second.states.get('slow-api')).toMatchObject({ phase: 'firing', lastEvents: 6 });
    expect(second.states.get('api-errors')).toMatchObject({ phase: 'ok', lastValue: 0, lastEvents: 6 });
    expect(second.states.get('stale')).toMatchObject({ phase: 'firing', notified: true });
    expect(second.states.get('cancels')).toMatchObject({ phase: 'ok', lastSubject: 'shop v1', lastEvents: 0 });
    await alerting.delivery.drain();
    const texts = receiver.requests.map((r) => (r.body as { text: string }).text);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^\[FIRING\] stale: data_age_hours \d+\.\d h > 1\.0 h \(all: newest reservation .* UTC; 1 events over 1h\)$/);
    expect(texts[1]).toMatch(/^\[FIRING\] slow-api: api_p99_ms \d+ ms > 0 ms \(all; 6 events over 1h\)$/);
    expect(existsSync(path.join(home, 'alerts', 'state.json'))).toBe(true);
  });
});
