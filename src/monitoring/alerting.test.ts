import { mkdtemp, readdir, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { capturedLogger } from '../../test/support/captured-logger.ts';
import type { AlertRule } from '../config/index.ts';
import { AlertDelivery } from './alert-delivery.ts';
import { AlertStateFile } from './alert-state-file.ts';
import { Alerting } from './alerting.ts';
import type { AlertNotification, ReadingResult } from './alerts/index.ts';
import { routeMetrics, type MetricSource } from './metric-source.ts';

const RULE: AlertRule = {
  name: 'cancels',
  metric: 'cancel_rate',
  scope: 'all',
  op: '>',
  threshold: 0.2,
  window: 3600,
  minEvents: 0,
  for: 0,
  cooldown: 3600,
  enabled: true,
};
const API: AlertRule = { ...RULE, name: 'api-errors', metric: 'api_error_rate', threshold: 0.01 };

let home: string;
beforeEach(async () => {
  home = await mkdtemp(path.join(tmpdir(), 'pickwise-alerting-'));
});
afterEach(async () => {
  await rm(home, { recursive: true, force: true });
});

/** An alerting process over a settable reading, a manual clock and a recording notifier. */
function processAt(o: { rules?: AlertRule[]; value: { current: number | Error }; minute: { current: number } }) {
  const sent: AlertNotification[] = [];
  const log = capturedLogger('info');
  const warehouse: MetricSource = {
    async read(): Promise<ReadingResult> {
      if (o.value.current instanceof Error) throw o.value.current;
      return { ok: true, reading: { value: o.value.current, events: 50 } };
    },
  };
  const delivery = new AlertDelivery({ notifiers: [{ name: 'memory', notify: async (n) => void sent.push(n as AlertNotification) }], logger: log.logger });
  const alerting = new Alerting({
    rules: o.rules ?? [RULE],
    source: routeMetrics({ warehouse }),
    stateFile: new AlertStateFile(home),
    delivery,
    clock: () => new Date(Date.UTC(2026, 5, 1) + o.minute.current * 60_000),
    logger: log.logger,
  });
  return { alerting, sent, log, delivery };
}

describe('Alerting', () => {
  it('saves states so that a restart neither notifies a firing again nor forgets to resolve it', async () => {
    const value = { current: 0.5 as number | Error };
    const minute = { current: 0 };
    const first = processAt({ value, minute });
    await first.alerting.evaluateOnce();
    await first.alerting.stop();
    expect(first.sent.map((n) => n.kind)).toEqual(['firing']);
    const saved = JSON.parse(await readFile(path.join(home, 'alerts', 'state.json'), 'utf8')) as { version: number; rules: { rule: string; phase: string }[] };
    expect(saved).toMatchObject({ version: 1, rules: [{ rule: 'cancels', phase: 'firing', notified: true }] });

    minute.current = 5;
    const second = processAt({ value, minute });
    await second.alerting.evaluateOnce();
    expect(second.sent).toEqual([]);
    value.current = 0.1;
    minute.current = 6;
    await second.alerting.evaluateOnce();
    await second.alerting.stop();
    expect(second.sent.map((n) => n.kind)).toEqual(['resolved']);
    expect(await readdir(path.join(home, 'alerts'))).toEqual(['state.json']);
  });

  it('holds a rule whose metric cannot be read, or is measured only inside serve, saying why', async () => {
    const p = processAt({ rules: [RULE, API], value: { current: new Error('database is down') }, minute: { current: 0 } });
    const out = await p.alerting.evaluateOnce();
    expect(out.states.get('cancels')).toMatchObject({ phase: 'ok', hold: 'metric unavailable: database is down' });
    expect(out.states.get('api-errors')).toMatchObject({ phase: 'ok', hold: 'api_error_rate is measured inside pickwise serve (the rule is evaluated there)' });
  });

  it('moves an unreadable state file aside and starts afresh, with a warning', async () => {
    await mkdir(path.join(home, 'alerts'), { recursive: true });
    await writeFile(path.join(home, 'alerts', 'state.json'), '{"version": 1, "rules": [');
    const p = processAt({ value: { current: 0.5 }, minute: { current: 0 } });
    await p.alerting.evaluateOnce();
    await p.alerting.stop();
    expect(p.sent.map((n) => n.kind)).toEqual(['firing']);
    expect(p.log.lines()[0]).toMatchObject({ level: 40, msg: 'alert state file unreadable: moved aside, starting afresh' });
    expect((await readdir(path.join(home, 'alerts'))).sort()).toEqual([
      expect.stringMatching(/^state\.json$/),
      expect.stringMatching(/^state\.json\.unreadable-\d+$/),
    ]);
  });

  it('runs a first cycle at start, and stop waits for it and for delivery', async () => {
    const p = processAt({ value: { current: 0.5 }, minute: { current: 0 } });
    p.alerting.start(3600);
    await p.alerting.stop();
    expect(p.sent.map((n) => n.kind)).toEqual(['firing']);
  });
});
