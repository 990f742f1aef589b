import { ServiceCatalog, type CatalogRead } from '../registry/index.ts';
import { systemClock, type Clock } from '../shared/index.ts';
import type { ObjectStore } from '../storage/index.ts';
import { ServiceRepo, type Warehouse } from '../warehouse/index.ts';
import { FailureLog, type Logger } from '../shared/io.ts';
import { currentTarget, loadServedModel, type ModelChoice, type ServedModel } from './served-model.ts';

/**
 * Holds the model being served and swaps it without dropping a request: every request reads `current` once
 * and keeps that model to the end; a new model is loaded and verified in the background, then replaces the
 * reference in one assignment. A failing load keeps the old model and is logged once until its cause changes;
 * the error clears when the target is withdrawn (the alias points at the served version again) or repaired.
 *
 * It also holds the service catalog (names, categories, regions) read from the warehouse: once per model
 * load and again at every check. When the warehouse cannot be read, the catalog last read stays in use.
 */
export class ModelHolder {
  #current: ServedModel | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking = false;
  #catalogRead: CatalogRead | undefined;
  #catalogError: unknown;
  readonly #warehouse: Warehouse;
  readonly #store: ObjectStore;
  readonly #choice: ModelChoice;
  readonly #logger: Logger;
  readonly #clock: Clock;
  readonly #onSwap: ((model: ServedModel) => void) | undefined;
  readonly #onLoadFailed: ((error: unknown) => void) | undefined;
  readonly #targetLog: FailureLog;
  readonly #catalogLog: FailureLog;

  constructor(o: {
    warehouse: Warehouse;
    store: ObjectStore;
    choice: ModelChoice;
    logger: Logger;
    onSwap?: (model: ServedModel) => void;
    /** A model the registry names could not be loaded (the previous one stays served): counted for alert rules. */
    onLoadFailed?: (error: unknown) => void;
    clock?: Clock;
  }) {
    this.#warehouse = o.warehouse;
    this.#store = o.store;
    this.#choice = o.choice;
    this.#logger = o.logger;
    this.#clock = o.clock ?? systemClock;
    this.#onSwap = o.onSwap;
    this.#onLoadFailed = o.onLoadFailed;
    this.#targetLog = new FailureLog(o.logger, 'loading the model to serve', 'error');
    this.#catalogLog = new FailureLog(o.logger, 'reading the service catalog');
  }

  get current(): ServedModel | undefined {
    return this.#current;
  }

  /** Why the model the registry names now could not be loaded (the previous one is still served); undefined when it could. */
  get lastError(): string | undefined {
    return this.#targetLog.failing;
  }

  /** Why the last read of the service catalog failed (the catalog in use is older), or undefined when it worked. */
  get catalogError(): unknown {
    return this.#catalogError;
  }

  /** Loads the first model; throws when there is none to serve. An unreadable catalog only costs names and filters. */
  async start(): Promise<ServedModel> {
    const model = await loadServedModel(this.#warehouse, this.#store, this.#choice, await currentTarget(this.#warehouse, this.#store, this.#choice));
    await this.#readCatalog();
    return this.#install(model);
  }

  /** Checks every `intervalMs` whether the alias moved (or a newer bundle exists) and swaps when it did. */
  watch(intervalMs: number): void {
    this.#timer = setInterval(() => void this.check(), intervalMs);
    this.#timer.unref();
  }

  /**
   * One check: re-reads the catalog, then swaps when the target moved. Resolves true after a swap, false
   * otherwise (nothing moved, the load failed, or another check is running).
   */
  async check(): Promise<boolean> {
    if (this.#checking) return false;
    this.#checking = true;
    try {
      const fresh = await this.#readCatalog();
      let target: string | undefined;
      try {
        target = await currentTarget(this.#warehouse, this.#store, this.#choice);
        if (target !== this.#current?.target) {
          this.#install(await loadServedModel(this.#warehouse, this.#store, this.#choice, target));
          this.#targetLog.succeeded({ target });
          return true;
        }
        this.#targetLog.succeeded({ target });
      } catch (error) {
        const serving = this.#current?.target;
        this.#targetLog.failed(error, { target, serving }, `${target ?? '?'} ${(error as Error).message}`);
        this.#onLoadFailed?.(error);
      }
      const current = this.#current;
      if (fresh && current) this.#current = { ...current, catalog: this.#catalogFor(current.loaded) };
      return false;
    } finally {
      this.#checking = false;
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  /** Reads the catalog; true when it could (the rows replace the previous ones). */
  async #readCatalog(): Promise<boolean> {
    try {
      const rows = await new ServiceRepo(this.#warehouse.db).catalog();
      this.#catalogRead = { rows, readAt: this.#clock().toISOString() };
      this.#catalogError = undefined;
      this.#catalogLog.succeeded({ services: rows.services.length });
      return true;
    } catch (error) {
      this.#catalogError = error;
      this.#catalogLog.failed(error, { database: this.#warehouse.displayUrl, lastRead: this.#catalogRead?.readAt ?? null });
      return false;
    }
  }

  #catalogFor(loaded: ServedModel['loaded']): ServiceCatalog {
    return this.#catalogRead ? ServiceCatalog.build(loaded, this.#catalogRead) : ServiceCatalog.unread(loaded, this.#catalogError);
  }

  #install(model: Omit<ServedModel, 'catalog'>): ServedModel {
    const previous = this.#current;
    const served: ServedModel = { ...model, catalog: this.#catalogFor(model.loaded) };
    this.#current = served;
    this.#logger.info(
      { prefix: model.prefix, name: model.name, version: model.version, previous: previous?.prefix, seconds: model.loadSeconds },
      'serving model',
    );
    this.#onSwap?.(served);
    return served;
  }
}
