import { describe, expect, it } from 'vitest';
import type { AlertRule } from '../../config/index.ts';
import { initialState, type AlertPhase, type ReadingResult, type RuleState } from './alert-state.ts';
import { conditionHolds, evaluateRules } from './evaluate-rules.ts';

const T0 = Date.parse('2026-06-01T00:00:00.000Z');
const minute = (m: number) => new Date(T0 + m * 60_000);

const RULE: AlertRule = {
  name: 'cancels',
  metric: 'cancel_rate',
  scope: 'all',
  op: '>',
  threshold: 0.2,
  window: 3600,
  minEvents: 10,
  for: 0,
  cooldown: 3600,
  enabled: true,
};

type Step = {
  /** Minutes after T0 (the manual clock). */
  at: number;
  /** A value (with 100 events), [value, events], or a failure reason. */
  read: number | null | [number | null, number] | { fail: string };
  phase: AlertPhase;
  notify?: ('firing' | 'resolved')[];
  hold?: RegExp;
};

function reading(read: Step['read']): ReadingResult {
  if (read !== null && typeof read === 'object' && !Array.isArray(read)) return { ok: false, reason: read.fail };
  const [value, events] = Array.isArray(read) ? read : [read, 100];
  return { ok: true, reading: { value, events } };
}

/** Runs the steps through evaluateRules with a manual clock, checking phase, notifications and hold after each. */
function run(rule: Partial<AlertRule>, steps: Step[], start?: RuleState): RuleState {
  const r = { ...RULE, ...rule };
  let states = new Map<string, RuleState>(start ? [[r.name, start]] : []);
  for (const step of steps) {
    const out = evaluateRules({ rules: [r], readings: new Map([[r.name, reading(step.read)]]), states, now: minute(step.at) });
    states = out.states;
    const state = states.get(r.name)!;
    const label = `at ${step.at} min`;
    expect(state.phase, label).toBe(step.phase);
    expect(
      out.notifications.map((n) => n.kind),
      label,
    ).toEqual(step.notify ?? []);
    if (step.hold) expect(state.hold, label).toMatch(step.hold);
    else expect(state.hold, label).toBeNull();
  }
  return states.get(r.name)!;
}

describe('evaluateRules', () => {
  it.each([
    ['>', 0.3, true],
    ['>', 0.2, false],
    ['>=', 0.2, true],
    ['<', 0.1, true],
    ['<', 0.2, false],
    ['<=', 0.2, true],
  ] as const)('%s %d against 0.2 holds: %s', (op, value, holds) => {
    expect(conditionHolds(value, op, 0.2)).toBe(holds);
  });

  const cases: [string, Partial<AlertRule>, Step[]][] = [
    ['stays ok while the condition does not hold', {}, [{ at: 0, read: 0.1, phase: 'ok' }]],
    [
      'fires at once with for = 0, and notifies once while it keeps firing',
      {},
      [
        { at: 0, read: 0.5, phase: 'firing', notify: ['firing'] },
        { at: 1, read: 0.6, phase: 'firing' },
      ],
    ],
    [
      'is pending until the condition has held for `for`, then fires',
      { for: 600 },
      [
        { at: 0, read: 0.5, phase: 'pending' },
        { at: 5, read: 0.5, phase: 'pending' },
        { at: 10, read: 0.5, phase: 'firing', notify: ['firing'] },
      ],
    ],
    [
      'goes back from pending to ok, silently, when the condition stops before `for`',
      { for: 600 },
      [
        { at: 0, read: 0.5, phase: 'pending' },
        { at: 5, read: 0.1, phase: 'ok' },
        { at: 6, read: 0.5, phase: 'pending' },
        { at: 15, read: 0.5, phase: 'pending' },
        { at: 16, read: 0.5, phase: 'firing', notify: ['firing'] },
      ],
    ],
    [
      'resolves (notified) when a notified firing stops, and goes pending again when it comes back',
      { for: 300, cooldown: 0 },
      [
        { at: 0, read: 0.5, phase: 'pending' },
        { at: 5, read: 0.5, phase: 'firing', notify: ['firing'] },
        { at: 6, read: 0.1, phase: 'resolved', notify: ['resolved'] },
        { at: 7, read: 0.1, phase: 'resolved' },
        { at: 8, read: 0.5, phase: 'pending' },
        { at: 13, read: 0.5, phase: 'firing', notify: ['firing'] },
      ],
    ],
    [
      'decides nothing on fewer events than minEvents: the phase holds and says why',
      { minEvents: 50 },
      [
        { at: 0, read: [0.9, 49], phase: 'ok', hold: /too few events: 49 < minEvents 50/ },
        { at: 1, read: [0.9, 50], phase: 'firing', notify: ['firing'] },
        { at: 2, read: [0.0, 3], phase: 'firing', hold: /too few events: 3 < minEvents 50/ },
        { at: 3, read: [0.0, 60], phase: 'resolved', notify: ['resolved'] },
      ],
    ],
    [
      'holds on an undefined value and on a failed reading, saying why',
      {},
      [
        { at: 0, read: 0.5, phase: 'firing', notify: ['firing'] },
        { at: 1, read: [null, 100], phase: 'firing', hold: /no value over the window/ },
        { at: 2, read: { fail: 'database unreachable' }, phase: 'firing', hold: /database unreachable/ },
        { at: 3, read: 0.1, phase: 'resolved', notify: ['resolved'] },
      ],
    ],
    [
      'keeps pending through readings that decide nothing, and fires once `for` has passed',
      { for: 600 },
      [
        { at: 0, read: 0.5, phase: 'pending' },
        { at: 5, read: [0.5, 1], phase: 'pending', hold: /too few events/ },
        { at: 10, read: 0.5, phase: 'firing', notify: ['firing'] },
      ],
    ],
    [
      'defers a firing within the cooldown of the previous one, and sends it when the cooldown ends if it still fires',
      { cooldown: 3600 },
      [
        { at: 0, read: 0.5, phase: 'firing', notify: ['firing'] },
        { at: 10, read: 0.1, phase: 'resolved', notify: ['resolved'] },
        { at: 20, read: 0.5, phase: 'firing' },
        { at: 59, read: 0.5, phase: 'firing' },
        { at: 60, read: 0.5, phase: 'firing', notify: ['firing'] },
        { at: 61, read: 0.1, phase: 'resolved', notify: ['resolved'] },
      ],
    ],
    [
      'sends no resolution for a firing the cooldown kept quiet',
      { cooldown: 3600 },
      [
        { at: 0, read: 0.5, phase: 'firing', notify: ['firing'] },
        { at: 10, read: 0.1, phase: 'resolved', notify: ['resolved'] },
        { at: 20, read: 0.5, phase: 'firing' },
        { at: 30, read: 0.1, phase: 'resolved' },
      ],
    ],
    [
      'compares with < for floors (select rate too low)',
      { metric: 'select_rate', op: '<', threshold: 0.05 },
      [
        { at: 0, read: 0.1, phase: 'ok' },
        { at: 1, read: 0.01, phase: 'firing', notify: ['firing'] },
      ],
    ],
  ];

  it.each(cases)('%s', (_name, rule, steps) => {
    run(rule, steps);
  });

  it('puts the numbers in the notification', () => {
    const out = evaluateRules({
      rules: [{ ...RULE, scope: 'serving-model', window: 86_400 }],
      readings: new Map([[RULE.name, { ok: true, reading: { value: 0.31, events: 240, subject: 'als v7' } }]]),
      states: new Map(),
      now: minute(0),
    });
    expect(out.notifications).toEqual([
      {
        kind: 'firing',
        rule: 'cancels',
        metric: 'cancel_rate',
        scope: 'serving-model',
        subject: 'als v7',
        op: '>',
        threshold: 0.2,
        value: 0.31,
        events: 240,
        window: 86_400,
        since: minute(0).toISOString(),
        at: minute(0).toISOString(),
      },
    ]);
  });

  it('does not notify again after a restart what was already firing and notified', () => {
    const firing = run({}, [{ at: 0, read: 0.5, phase: 'firing', notify: ['firing'] }]);
    const restored = JSON.parse(JSON.stringify(firing)) as RuleState;
    run({}, [{ at: 5, read: 0.5, phase: 'firing' }], restored);
    run({ cooldown: 60 }, [{ at: 5, read: 0.5, phase: 'firing' }], restored);
  });

  it('leaves a disabled rule as it was, and starts again from ok when its scope changes', () => {
    const firing = run({}, [{ at: 0, read: 0.5, phase: 'firing', notify: ['firing'] }]);
    const disabled = evaluateRules({
      rules: [{ ...RULE, enabled: false }],
      readings: new Map([[RULE.name, reading(0.1)]]),
      states: new Map([[RULE.name, firing]]),
      now: minute(1),
    });
    expect(disabled.states.get(RULE.name)).toEqual(firing);
    expect(disabled.notifications).toEqual([]);
    const moved = evaluateRules({
      rules: [{ ...RULE, scope: 'model:als' }],
      readings: new Map([[RULE.name, reading(0.1)]]),
      states: new Map([[RULE.name, firing]]),
      now: minute(1),
    });
    expect(moved.states.get(RULE.name)).toMatchObject({ scope: 'model:als', phase: 'ok' });
    expect(moved.notifications).toEqual([]);
  });

  it('drops the states of rules no longer configured, and holds a rule without a reading', () => {
    const out = evaluateRules({
      rules: [RULE],
      readings: new Map(),
      states: new Map([['gone', initialState({ name: 'gone', scope: 'all' }, minute(0))]]),
      now: minute(0),
    });
    expect([...out.states.keys()]).toEqual([RULE.name]);
    expect(out.states.get(RULE.name)).toMatchObject({ phase: 'ok', hold: 'no reading' });
  });
});
