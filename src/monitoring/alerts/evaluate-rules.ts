import type { AlertOp, AlertRule } from '../../config/index.ts';
import { initialState, type AlertNotification, type ReadingResult, type RuleState } from './alert-state.ts';

/** Whether `value op threshold` holds. */
export function conditionHolds(value: number, op: AlertOp, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}

export interface EvaluateInput {
  readonly rules: readonly AlertRule[];
  /** The reading of each enabled rule, by rule name; a rule without one holds its state ("no reading"). */
  readonly readings: ReadonlyMap<string, ReadingResult>;
  /** The states from the previous evaluation (or from disk after a restart), by rule name. */
  readonly states: ReadonlyMap<string, RuleState>;
  readonly now: Date;
}

export interface EvaluateOutput {
  /** One state per configured rule (disabled rules keep theirs), by rule name. */
  readonly states: Map<string, RuleState>;
  readonly notifications: AlertNotification[];
}

const seconds = (from: string, to: Date) => (to.getTime() - Date.parse(from)) / 1000;

/**
 * One evaluation cycle, pure: moves each rule through ok → pending → firing → resolved and decides what to notify.
 * - `for`: the condition must hold at every evaluation for this many seconds before the rule fires (0: at once).
 * - `minEvents`: a reading on fewer events decides nothing: the phase holds, and `hold` says why.
 * - `cooldown`: a firing notification comes at least `cooldown` seconds after the rule's previous one; a rule that
 *   fires again sooner is notified when the cooldown ends, if it still fires. Resolutions are sent whenever the
 *   firing was notified, so that every notified alert is closed.
 * States of rules no longer configured, or whose scope changed, are dropped (the rule starts again from ok).
 */
export function evaluateRules(input: EvaluateInput): EvaluateOutput {
  const { now } = input;
  const at = now.toISOString();
  const states = new Map<string, RuleState>();
  const notifications: AlertNotification[] = [];
  for (const rule of input.rules) {
    const previous = input.states.get(rule.name);
    const state = previous !== undefined && previous.scope === rule.scope ? previous : initialState(rule, now);
    if (!rule.enabled) {
      states.set(rule.name, state);
      continue;
    }
    const result = input.readings.get(rule.name) ?? { ok: false, reason: 'no reading' };
    const notify = (kind: 'firing' | 'resolved', since: string, value: number | null, events: number, subject: string | null) =>
      notifications.push({
        kind,
        rule: rule.name,
        metric: rule.metric,
        scope: rule.scope,
        subject,
        op: rule.op,
        threshold: rule.threshold,
        value,
        events,
        window: rule.window,
        since,
        at,
      });
    if (!result.ok) {
      states.set(rule.name, { ...state, lastEvaluatedAt: at, hold: result.reason });
      continue;
    }
    const { value, events } = result.reading;
    const subject = result.reading.subject ?? null;
    const measured = { ...state, lastValue: value, lastEvents: events, lastSubject: subject, lastEvaluatedAt: at };
    if (events < rule.minEvents) {
      states.set(rule.name, { ...measured, hold: `too few events: ${events} < minEvents ${rule.minEvents}` });
      continue;
    }
    if (value === null) {
      states.set(rule.name, { ...measured, hold: 'no value over the window (nothing to divide by)' });
      continue;
    }
    let next: RuleState = { ...measured, hold: null };
    if (conditionHolds(value, rule.op, rule.threshold)) {
      if (next.phase === 'ok' || next.phase === 'resolved') next = { ...next, phase: 'pending', since: at, notified: false };
      if (next.phase === 'pending' && seconds(next.since, now) >= rule.for) next = { ...next, phase: 'firing', since: at };
      if (next.phase === 'firing' && !next.notified && (next.lastNotifiedAt === null || seconds(next.lastNotifiedAt, now) >= rule.cooldown)) {
        notify('firing', next.since, value, events, subject);
        next = { ...next, notified: true, lastNotifiedAt: at };
      }
    } else if (next.phase === 'pending') {
      next = { ...next, phase: 'ok', since: at };
    } else if (next.phase === 'firing') {
      if (next.notified) notify('resolved', next.since, value, events, subject);
      next = { ...next, phase: 'resolved', since: at, notified: false };
    }
    states.set(rule.name, next);
  }
  return { states, notifications };
}
