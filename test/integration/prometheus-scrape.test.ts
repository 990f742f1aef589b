import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { warehouseBackends } from '../support/backends.ts';
import { trainChampion } from '../support/champion.ts';
import { freePort } from '../support/free-port.ts';
import { createIngestFixture, type IngestFixture } from '../support/ingest-fixture.ts';
import { allPanels, concreteExpr, readDashboard } from '../support/grafana-dashboard.ts';
import { PROMETHEUS_DIR, prometheusOrSkip, startPrometheus, type RunningPrometheus } from '../support/prometheus-server.ts';
import { startServing, type startCli } from '../support/run-cli.ts';
import { sendLoadRound } from '../support/serve-load.ts';

const recording = (
  parse(readFileSync(path.join(PROMETHEUS_DIR, 'rules', 'pickwise-recording.yml'), 'utf8')) as { groups: { rules: { record: string; expr: string }[] }[] }
).groups.flatMap((g) => g.rules);
const recordingRules = recording.map((r) => r.record);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A real Prometheus (loopback, private folder, 1 s scrape and evaluation interval) scraping a real `pickwise serve`
 * process over a demo-sized warehouse, with the shipped recording and alert rules loaded.
 */
describe('a real Prometheus scraping pickwise serve', () => {
  const bin = prometheusOrSkip();
  const backend = warehouseBackends()[0]!;
  let fx: IngestFixture;
  let url: string;
  let serve: ReturnType<typeof startCli> | undefined;
  let prometheus: RunningPrometheus | undefined;
  let base: string;

  beforeAll(async () => {
    if (!bin) return;
    url = await backend.newDatabaseUrl('prometheus_scrape');
    fx = await createIngestFixture(url);
    await fx.landGenerated({ users: 60, services: 15, reservations: 600, seed: 4, dirty: 0.03 });
    await fx.ingest();
    // With a hold-out, so that the version has offline metrics (NDCG@10, lift over popularity).
    await trainChampion(fx, { kind: 'item-knn', holdout: 0.2 });
    const port = await freePort();
    ({ run: serve, base } = await startServing(['serve', '--port', String(port), '--model-name', 'shop'], {
      cwd: fx.dir,
      port,
      env: {
        PICKWISE_HOME: path.join(fx.dir, 'home'),
        PICKWISE_DATABASE__URL: url,
        PICKWISE_STORAGE__URL: `file:${fx.bucketDir}`,
        PICKWISE_LOG__LEVEL: 'warn',
      },
    }));
    prometheus = await startPrometheus(bin, { target: `127.0.0.1:${port}`, intervalSeconds: 1 });
    // Traffic while Prometheus scrapes, so that rates are above 0: a few rounds a scrape interval apart.
    for (let attempt = 0; attempt < 100 && (await prometheus.query('up{job="pickwise"} == 1')).result.length === 0; attempt++) await sleep(100);
    for (let round = 1; round <= 4; round++) {
      await sendLoadRound(base, { users: 12, round });
      await sleep(1100);
    }
  });
  afterAll(async () => {
    await prometheus?.stop();
    if (serve) {
      serve.child.kill('SIGTERM');
      await serve.done;
    }
    await fx?.close();
    if (url) await backend.dropDatabase(url);
  });

  /** Polls (bounded) until every expression has a result; returns the ones still empty. */
  async function untilData(exprs: readonly string[], maxSeconds = 30): Promise<string[]> {
    let empty = [...exprs];
    for (let attempt = 0; attempt < maxSeconds * 2 && empty.length > 0; attempt++) {
      const results = await Promise.all(empty.map(async (e) => ({ e, n: (await prometheus!.query(e)).result.length })));
      empty = results.filter((r) => r.n === 0).map((r) => r.e);
      if (empty.length > 0) await sleep(500);
    }
    return empty;
  }

  it.skipIf(!bin)('scrapes /metrics with the shipped scrape config', async () => {
    const up = await prometheus!.query('up{job="pickwise"}');
    expect(up.result.map((r) => r.value[1])).toEqual(['1']);
  });

  it.skipIf(!bin)('every recording rule produces series', async () => {
    expect(recordingRules.length).toBeGreaterThan(20);
    expect(await untilData(recordingRules)).toEqual([]);
  });

  it.skipIf(!bin)('every target of every Grafana panel returns data', async () => {
    const dashboard = readDashboard();
    const targets = allPanels(dashboard).flatMap((p) => (p.targets ?? []).map((t) => ({ panel: `${p.id} ${p.title}`, refId: t.refId, expr: t.expr })));
    expect(targets.length).toBeGreaterThan(30);
    expect(await untilData(targets.map((t) => concreteExpr(dashboard, t.expr)))).toEqual([]);
    // Data, not only series: each required target has a finite value now (a NaN quantile would draw nothing).
    for (const t of targets) {
      const values = (await prometheus!.query(concreteExpr(dashboard, t.expr))).result.map((r) => Number(r.value[1]));
      expect(values.some(Number.isFinite), `panel ${t.panel} target ${t.refId}: ${values.join(', ')}`).toBe(true);
    }
  });

  it.skipIf(!bin)('the recording rules measure the traffic sent', async () => {
    const value = async (expr: string) =>
      (await prometheus!.query(expr)).result.map((r): Record<string, string | number> => {
        const { __name__: _, ...labels } = r.metric;
        return { ...labels, value: Number(r.value[1]) };
      });
    expect((await value('pickwise:http_requests:rate5m'))[0]!.value).toBeGreaterThan(0);
    expect(await value('pickwise:http_errors:ratio_rate5m')).toEqual([{ value: 0 }]);
    const p99 = (await value('pickwise:http_request_duration_seconds:p99_5m'))[0]!.value;
    expect(p99).toBeGreaterThan(0);
    expect(p99).toBeLessThan(2.5);
    const types = (await value('type:pickwise_feedback_events_stored:rate5m')).map((r) => r.type).sort();
    expect(types).toEqual(['cancel', 'complete', 'impression', 'reserve', 'select']);
    expect(await value('model_version:pickwise_serving_model:max')).toEqual([{ model: 'shop', version: '1', value: 1 }]);
    expect((await value('pickwise:served_lists_recorded:rate5m'))[0]!.value).toBeGreaterThan(0);
    expect(await value('pickwise:served_lists_dropped:increase15m')).toEqual([{ value: 0 }]);
  });

  it.skipIf(!bin)('every rule evaluates without error; the alerts this warehouse calls for fire, and no other', async () => {
    type Rule = { name: string; query: string; health: string; lastError?: string; type: string; state?: string };
    const rules = async () =>
      ((await (await fetch(`${prometheus!.url}/api/v1/rules`)).json()) as { data: { groups: { rules: Rule[] }[] } }).data.groups.flatMap((g) => g.rules);
    const all = await rules();
    expect(all.length).toBe(recordingRules.length + 8);
    expect(all.filter((r) => r.health !== 'ok').map((r) => `${r.name}: ${r.health} ${r.lastError ?? ''}`)).toEqual([]);
    // The generated reservations end long before now (stale data), and 3 % of the landed rows were dirty (rejected
    // rows in the last ingest): those two fire at once (no for:); the traffic sent was healthy, so nothing else does.
    const expected = ['PickwiseDataStale', 'PickwiseIngestRejectedRows'];
    let active: string[] = [];
    for (let attempt = 0; attempt < 40; attempt++) {
      active = (await rules())
        .filter((r) => r.type === 'alerting' && r.state !== 'inactive')
        .map((r) => `${r.name} ${r.state}`)
        .sort();
      if (active.join() === expected.map((n) => `${n} firing`).join()) break;
      await sleep(250);
    }
    expect(active).toEqual(expected.map((n) => `${n} firing`));
  });
});
