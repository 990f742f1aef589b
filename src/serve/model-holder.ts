import type { Logger } from '../shared/logger.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import { currentTarget, loadServedModel, type ModelChoice, type ServedModel } from './served-model.ts';

/**
 * Holds the model being served and swaps it without dropping a request: every request reads `current` once
 * and keeps that model to the end; a new model is loaded and verified in the background, then replaces the
 * reference in one assignment. A failing load keeps the old model and is logged.
 */
export class ModelHolder {
  #current: ServedModel | undefined;
  #timer: NodeJS.Timeout | undefined;
  #checking = false;
  readonly #warehouse: Warehouse;
  readonly #store: ObjectStore;
  readonly #choice: ModelChoice;
  readonly #logger: Logger;
  readonly #onSwap: ((model: ServedModel) => void) | undefined;
  /** The last failed load, for readiness and logs. */
  lastError: string | undefined;

  constructor(o: { warehouse: Warehouse; store: ObjectStore; choice: ModelChoice; logger: Logger; onSwap?: (model: ServedModel) => void }) {
    this.#warehouse = o.warehouse;
    this.#store = o.store;
    this.#choice = o.choice;
    this.#logger = o.logger;
    this.#onSwap = o.onSwap;
  }

  get current(): ServedModel | undefined {
    return this.#current;
  }

  /** Loads the first model; throws when there is none to serve. */
  async start(): Promise<ServedModel> {
    const model = await loadServedModel(this.#warehouse, this.#store, this.#choice, await currentTarget(this.#warehouse, this.#store, this.#choice));
    this.#install(model);
    return model;
  }

  /** Checks every `intervalMs` whether the alias moved (or a newer bundle exists) and swaps when it did. */
  watch(intervalMs: number): void {
    this.#timer = setInterval(() => void this.check(), intervalMs);
    this.#timer.unref();
  }

  /** One check; resolves when a swap (or a failed attempt) is done. Concurrent calls share nothing: the second returns. */
  async check(): Promise<boolean> {
    if (this.#checking) return false;
    this.#checking = true;
    try {
      const target = await currentTarget(this.#warehouse, this.#store, this.#choice);
      if (target === this.#current?.target) return false;
      this.#install(await loadServedModel(this.#warehouse, this.#store, this.#choice, target));
      return true;
    } catch (error) {
      this.lastError = (error as Error).message;
      this.#logger.error({ err: this.lastError }, 'model swap failed; still serving the previous model');
      return false;
    } finally {
      this.#checking = false;
    }
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
  }

  #install(model: ServedModel): void {
    const previous = this.#current;
    this.#current = model;
    this.lastError = undefined;
    this.#logger.info({ prefix: model.prefix, name: model.name, version: model.version, previous: previous?.prefix, seconds: model.loadSeconds }, 'serving model');
    this.#onSwap?.(model);
  }
}
