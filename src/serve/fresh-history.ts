import { Counter, Gauge, type Registry } from 'prom-client';
import { FreshHistoryReader, type FreshRefresh, type LoadedModel, type RecentHistory } from '../registry/index.ts';
import { systemClock, type Clock } from '../shared/index.ts';
import { FailureLog, type Logger } from '../shared/io.ts';
import type { Warehouse } from '../warehouse/index.ts';

/**
 * The served model's view of reservations loaded since its data (serve.freshnessSeconds): refreshed in the
 * background every interval, never on a request's path. A request takes the history of the model it answers
 * with ({@link FreshHistory.for}); after a swap the new model starts again from its own watermark (its data
 * holds what it was trained on), and until that first read its lists are as trained. A failing read keeps the
 * history as it was, is logged once until its cause changes, and is retried at the next interval.
 */
export class FreshHistory {
  readonly #warehouse: Warehouse;
  readonly #maxUsers: number;
  readonly #clock: Clock;
  readonly #log: FailureLog;
  readonly #logger: Logger;
  #reader: FreshHistoryReader | undefined;
  #loaded: LoadedModel | undefined;
  #inFlight: { reader: FreshHistoryReader; done: Promise<FreshRefresh | undefined> } | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** When the view last caught up with the warehouse (a refresh that succeeded started), or the model was loaded. */
  #asOf = 0;
  #failures: Counter | undefined;

  constructor(o: { warehouse: Warehouse; maxUsers: number; logger: Logger; clock?: Clock }) {
    this.#warehouse = o.warehouse;
    this.#maxUsers = o.maxUsers;
    this.#clock = o.clock ?? systemClock;
    this.#logger = o.logger;
    this.#log = new FailureLog(o.logger, 'reading reservations newer than the served model');
  }

  /** Starts over for a newly served model (its first read follows at once when refreshing is started). */
  reset(loaded: LoadedModel): void {
    this.#loaded = loaded;
    this.#reader = new FreshHistoryReader({ warehouse: this.#warehouse, loaded, maxUsers: this.#maxUsers });
    this.#asOf = this.#clock().getTime();
    if (this.#timer) void this.refresh();
  }

  /** The recent history of `loaded`, or undefined when the one held belongs to another model (or none yet). */
  for(loaded: LoadedModel): RecentHistory | undefined {
    return loaded === this.#loaded ? this.#reader?.history : undefined;
  }

  /** One refresh (a call while one runs for the same model shares it); undefined when it failed or no model is set. */
  refresh(): Promise<FreshRefresh | undefined> {
    const reader = this.#reader;
    if (reader === undefined) return Promise.resolve(undefined);
    if (this.#inFlight?.reader === reader) return this.#inFlight.done;
    const started = this.#clock().getTime();
    const done = reader.refresh().then(
      (r) => {
        if (reader === this.#reader) this.#asOf = started;
        this.#log.succeeded();
        if (r.read) this.#logger.debug({ rows: r.rows, users: reader.history.users }, 'newer reservations read');
        return r;
      },
      (error: unknown) => {
        this.#failures?.inc();
        this.#log.failed(error, { database: this.#warehouse.displayUrl });
        return undefined;
      },
    );
    const flight = { reader, done };
    this.#inFlight = flight;
    void done.finally(() => {
      if (this.#inFlight === flight) this.#inFlight = undefined;
    });
    return done;
  }

  /** Refreshes now and then every `seconds` in the background. */
  start(seconds: number): void {
    this.#timer = setInterval(() => void this.refresh(), seconds * 1000);
    this.#timer.unref();
    void this.refresh();
  }

  /** Stops refreshing and waits for a refresh under way. */
  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
    await this.#inFlight?.done;
  }

  /** /metrics: users and reservations held, reservations dropped over the cap, the view's age, failed reads. */
  registerMetrics(registry: Registry): void {
    const history = () => this.#reader?.history;
    new Gauge({
      name: 'pickwise_fresh_history_users',
      help: "Users whose lists include reservations loaded since the served model's data",
      registers: [registry],
      collect() {
        this.set(history()?.users ?? 0);
      },
    });
    new Gauge({
      name: 'pickwise_fresh_history_reservations',
      help: "Reservations loaded since the served model's data that lists take into account",
      registers: [registry],
      collect() {
        this.set(history()?.reservations ?? 0);
      },
    });
    new Gauge({
      name: 'pickwise_fresh_history_dropped_reservations',
      help: 'Newer reservations not held because serve.freshMaxUsers users were held already (since the model was loaded)',
      registers: [registry],
      collect() {
        this.set(history()?.droppedReservations ?? 0);
      },
    });
    const age = (): number => (this.#reader === undefined ? 0 : (this.#clock().getTime() - this.#asOf) / 1000);
    new Gauge({
      name: 'pickwise_fresh_history_age_seconds',
      help: 'Seconds since the served lists last caught up with the reservations in the warehouse (or since the model was loaded)',
      registers: [registry],
      collect() {
        this.set(age());
      },
    });
    this.#failures = new Counter({
      name: 'pickwise_fresh_history_failures_total',
      help: 'Reads of newer reservations that failed (retried at the next interval)',
      registers: [registry],
    });
  }
}
