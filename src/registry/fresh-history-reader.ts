import { toUtcText } from '../shared/index.ts';
import { FreshReservationRepo, type Warehouse } from '../warehouse/index.ts';
import type { LoadedModel } from './loaded-model.ts';
import { RecentHistory } from './recent-history.ts';

/** Rows per statement of a read: bounds each statement's time and memory. */
const PAGE_ROWS = 5000;

/** What one {@link FreshHistoryReader.refresh} did. */
export interface FreshRefresh {
  /** False when the warehouse's change mark had not moved: nothing was read. */
  readonly read: boolean;
  /** Reservations read (new, or changed since the previous read). */
  readonly rows: number;
}

/**
 * Keeps a {@link RecentHistory} of one model up to date from the warehouse: each refresh reads only what was
 * inserted or changed since the previous one, starting from the model's recorded watermark (or, for a bundle
 * saved without one, from the reservations written before its training time). A refresh first reads a
 * two-index change mark and reads facts only when it moved. A failed refresh changes nothing that the next one
 * does not redo (reservations read twice replace themselves).
 */
export class FreshHistoryReader {
  readonly history: RecentHistory;
  readonly #repo: FreshReservationRepo;
  readonly #loaded: LoadedModel;
  readonly #userId: string | undefined;
  #afterKey: number | undefined;
  #seenKey = 0;
  #seenUpdatedAt: string | null = null;
  #mark: string | undefined;

  constructor(o: { warehouse: Warehouse; loaded: LoadedModel; maxUsers: number; userId?: string }) {
    this.#repo = new FreshReservationRepo(o.warehouse.db);
    this.#loaded = o.loaded;
    this.#userId = o.userId;
    this.history = new RecentHistory({ itemIndex: o.loaded.itemIndex, maxUsers: o.maxUsers });
  }

  /** The model's watermark: recorded at training, else the reservations written before its training time. */
  async #watermark(): Promise<number> {
    this.#afterKey ??= this.#loaded.manifest.watermark?.reservationKey ?? (await this.#repo.keyAt(toUtcText(new Date(this.#loaded.manifest.trainedAt))));
    return this.#afterKey;
  }

  /** Reads what is new since the previous refresh into `history`. */
  async refresh(): Promise<FreshRefresh> {
    const afterKey = await this.#watermark();
    const mark = await this.#repo.changeMark();
    if (mark === this.#mark) return { read: false, rows: 0 };
    let seenKey = Math.max(this.#seenKey, afterKey);
    let seenUpdatedAt = this.#seenUpdatedAt;
    let fromKey = afterKey;
    let rows = 0;
    for (;;) {
      const page = await this.#repo.newer({
        afterKey,
        seenKey: Math.max(this.#seenKey, afterKey),
        seenUpdatedAt: this.#seenUpdatedAt,
        fromKey,
        limit: PAGE_ROWS,
        ...(this.#userId === undefined ? {} : { userId: this.#userId }),
      });
      this.history.add(page);
      rows += page.length;
      for (const r of page) {
        if (r.reservationKey > seenKey) seenKey = r.reservationKey;
        if (seenUpdatedAt === null || r.updatedAt > seenUpdatedAt) seenUpdatedAt = r.updatedAt;
      }
      if (page.length < PAGE_ROWS) break;
      fromKey = page[page.length - 1]!.reservationKey;
    }
    this.#seenKey = seenKey;
    this.#seenUpdatedAt = seenUpdatedAt;
    this.#mark = mark;
    return { read: true, rows };
  }
}
