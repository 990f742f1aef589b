import type { AlertRule } from '../config/index.ts';
import type { Clock } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
import type { AlertDelivery } from './alert-delivery.ts';
import type { AlertStateFile } from './alert-state-file.ts';
import { evaluateRules, type ReadingResult, type RuleState } from './alerts/index.ts';
import type { MetricSource } from './metric-source.ts';

export interface AlertingOptions {
  readonly rules: readonly AlertRule[];
  readonly source: MetricSource;
  readonly stateFile: AlertStateFile;
  readonly delivery: AlertDelivery;
  readonly clock: Clock;
  readonly logger: Logger;
}

/**
 * The alerting cycle with its I/O: read each enabled rule's metric, evaluate (pure, {@link evaluateRules}), save the
 * states, hand notifications to the background delivery. States are saved before notifications are queued, so a
 * crash in between loses a notification rather than sending it twice after the restart; the undeliverable log covers
 * delivery failures. `start` runs a cycle every `evaluateEvery` seconds; cycles never overlap.
 */
export class Alerting {
  readonly #o: AlertingOptions;
  #states: Map<string, RuleState> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #cycle: Promise<unknown> | undefined;
  /** The latest cycle: cycles run one after another, never two at once over the same states. */
  #last: Promise<unknown> = Promise.resolve();

  constructor(options: AlertingOptions) {
    this.#o = options;
  }

  /** The states as of the last cycle (loaded from the state file before the first). */
  async states(): Promise<Map<string, RuleState>> {
    if (this.#states === undefined) {
      const loaded = await this.#o.stateFile.load();
      if (loaded.damaged)
        this.#o.logger.warn({ reason: loaded.damaged.reason, movedTo: loaded.damaged.movedTo }, 'alert state file unreadable: moved aside, starting afresh');
      this.#states = loaded.states;
    }
    return this.#states;
  }

  /** One evaluation cycle, after any running one; resolves to the new states and the notifications queued. */
  evaluateOnce(): Promise<ReturnType<typeof evaluateRules>> {
    const cycle = this.#last.then(() => this.#evaluate());
    this.#last = cycle.catch(() => undefined);
    return cycle;
  }

  async #evaluate(): Promise<ReturnType<typeof evaluateRules>> {
    const started = performance.now();
    const previous = await this.states();
    const now = this.#o.clock();
    const readings = new Map<string, ReadingResult>();
    for (const rule of this.#o.rules) {
      if (!rule.enabled) continue;
      try {
        readings.set(rule.name, await this.#o.source.read(rule, now));
      } catch (error) {
        readings.set(rule.name, { ok: false, reason: `metric unavailable: ${error instanceof Error ? error.message : String(error)}` });
      }
    }
    const out = evaluateRules({ rules: this.#o.rules, readings, states: previous, now });
    this.#states = out.states;
    await this.#o.stateFile.save(out.states, now);
    for (const n of out.notifications) this.#o.delivery.enqueue(n);
    const phases: Record<string, number> = {};
    for (const s of out.states.values()) phases[s.phase] = (phases[s.phase] ?? 0) + 1;
    this.#o.logger.debug(
      { rules: this.#o.rules.length, phases, notifications: out.notifications.length, ms: Math.round(performance.now() - started) },
      'alert rules evaluated',
    );
    return out;
  }

  /** Evaluates now and then every `everySeconds`; a failed cycle is logged and the next one runs as planned. */
  start(everySeconds: number): void {
    if (this.#timer !== undefined) return;
    const tick = () => {
      this.#cycle ??= this.evaluateOnce()
        .catch((error: unknown) => this.#o.logger.error({ err: error }, 'alert evaluation failed'))
        .finally(() => (this.#cycle = undefined));
    };
    tick();
    this.#timer = setInterval(tick, everySeconds * 1000);
    this.#timer.unref();
  }

  /** Stops the timer, waits for a running cycle, and delivers (or logs as undeliverable) what is queued. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#cycle;
    await this.#last;
    await this.#o.delivery.drain();
  }
}
