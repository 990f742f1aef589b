import type { AlertMetric, AlertOp, AlertRule } from '../../config/index.ts';

/**
 * Where a rule stands. `ok`: the condition does not hold. `pending`: it holds, for less than the rule's `for`.
 * `firing`: it has held for `for` (a notification goes out, cooldown permitting). `resolved`: it fired, and no
 * longer holds (a resolution goes out when the firing was notified); it stays `resolved` until the condition holds
 * again.
 */
export type AlertPhase = 'ok' | 'pending' | 'firing' | 'resolved';

/** One measurement of a rule's metric over its window, for its scope. */
export interface MetricReading {
  /** The metric's value; null when it is undefined over the window (a rate with a zero denominator). */
  readonly value: number | null;
  /** Events the value rests on (selects + cancels, impressions, requests…), compared with the rule's `minEvents`. */
  readonly events: number;
  /** What the scope resolved to, for people: `als v7`, `als v7 vs v6`. */
  readonly subject?: string | undefined;
}

/** A reading, or why there is none (a metric only `pickwise serve` measures, an unreachable database…). */
export type ReadingResult = { readonly ok: true; readonly reading: MetricReading } | { readonly ok: false; readonly reason: string };

/** The persisted state of one rule for its scope. Times are ISO-8601 UTC text (JSON-friendly). */
export interface RuleState {
  readonly rule: string;
  readonly scope: string;
  readonly phase: AlertPhase;
  /** When the rule entered `phase`. */
  readonly since: string;
  readonly lastValue: number | null;
  readonly lastEvents: number;
  readonly lastSubject: string | null;
  readonly lastEvaluatedAt: string | null;
  /** Why the last evaluation decided nothing (too few events, no reading); null when it decided. */
  readonly hold: string | null;
  /** When the last firing notification was emitted (the cooldown counts from it). */
  readonly lastNotifiedAt: string | null;
  /** Whether the current firing episode has been notified (and so its resolution will be). */
  readonly notified: boolean;
}

/** A message to send: a rule started firing, or stopped (or `test`: `pickwise alerts test` checking the way out). */
export interface AlertNotification {
  readonly kind: 'firing' | 'resolved' | 'test';
  readonly rule: string;
  readonly metric: AlertMetric;
  readonly scope: string;
  readonly subject: string | null;
  readonly op: AlertOp;
  readonly threshold: number;
  readonly value: number | null;
  readonly events: number;
  /** Seconds the metric looks back. */
  readonly window: number;
  /** When the rule fired (for a resolution: when the firing it ends began). */
  readonly since: string;
  readonly at: string;
}

/**
 * Something that happened and that a person should hear about, outside the metric rules: a pipeline run that failed
 * or missed its deadline. Sent once, through the same notifiers as the rules' alerts.
 */
export interface EventNotification {
  readonly kind: 'event';
  /** A short name of what happened, e.g. `run failed: daily`. */
  readonly title: string;
  /** One or two sentences: what, where, what to do. */
  readonly text: string;
  /** Named values shown beside the text (run key, run id, logical time...). */
  readonly fields: Readonly<Record<string, string>>;
  /** Who reports it, e.g. `orchestration`. */
  readonly source: string;
  readonly at: string;
}

/** What notifiers send: a rule's alert (firing, resolved, a test) or an event. */
export type Notification = AlertNotification | EventNotification;

/** The initial state of a rule that has never been evaluated. */
export function initialState(rule: Pick<AlertRule, 'name' | 'scope'>, now: Date): RuleState {
  return {
    rule: rule.name,
    scope: rule.scope,
    phase: 'ok',
    since: now.toISOString(),
    lastValue: null,
    lastEvents: 0,
    lastSubject: null,
    lastEvaluatedAt: null,
    hold: null,
    lastNotifiedAt: null,
    notified: false,
  };
}
