import { DEFAULT_WEIGHTING, interactionWeight } from '../features/index.ts';
import type { FoldInInteractions } from '../models/index.ts';
import type { ReservationStatus } from '../shared/index.ts';

/** A reservation newer than a model's data, as a recent history takes it (external user and service ids). */
export interface RecentReservation {
  /** Its warehouse key: a reservation read again (its status or rating changed) replaces its earlier weight. */
  readonly reservationKey: number;
  readonly userId: string;
  readonly serviceId: string;
  readonly status: ReservationStatus;
  readonly rating: number | null;
}

/**
 * The reservations each user made since a model's data, as the model's dense items with the weight training
 * gives them (DEFAULT_WEIGHTING, at age 0: they are the newest; a canceled one weighs nothing and so takes its
 * earlier state's weight away). Services the model does not know (new in the catalogue) are left out: they join
 * at the next training. Holds at most `maxUsers` users: past that, reservations of users not yet held are not
 * kept (counted in {@link RecentHistory.droppedReservations}), and those users' lists stay the model's until it
 * is retrained. Pure: it is filled by whatever reads the warehouse (see FreshHistoryReader).
 */
export class RecentHistory {
  readonly #itemIndex: ReadonlyMap<string, number>;
  readonly #maxUsers: number;
  readonly #byUser = new Map<string, Map<number, { item: number; weight: number }>>();
  #reservations = 0;
  #dropped = 0;

  constructor(o: { itemIndex: ReadonlyMap<string, number>; maxUsers: number }) {
    this.#itemIndex = o.itemIndex;
    this.#maxUsers = o.maxUsers;
  }

  /** Takes reservations in the order they were read (a later row of the same reservation wins). */
  add(rows: readonly RecentReservation[]): void {
    for (const r of rows) {
      const item = this.#itemIndex.get(r.serviceId);
      const weight = item === undefined ? 0 : interactionWeight(DEFAULT_WEIGHTING, r.status, r.rating, 0);
      let entries = this.#byUser.get(r.userId);
      if (entries === undefined) {
        if (weight <= 0) continue;
        if (this.#byUser.size >= this.#maxUsers) {
          this.#dropped++;
          continue;
        }
        entries = new Map();
        this.#byUser.set(r.userId, entries);
      }
      const had = entries.delete(r.reservationKey);
      if (weight > 0) entries.set(r.reservationKey, { item: item!, weight });
      this.#reservations += (weight > 0 ? 1 : 0) - (had ? 1 : 0);
      if (entries.size === 0) this.#byUser.delete(r.userId);
    }
  }

  /** The user's recent items (ascending dense ids) and summed weights, or undefined when there are none. */
  forUser(userId: string): FoldInInteractions | undefined {
    const entries = this.#byUser.get(userId);
    if (entries === undefined) return undefined;
    const sums = new Map<number, number>();
    for (const { item, weight } of entries.values()) sums.set(item, (sums.get(item) ?? 0) + weight);
    const items = Int32Array.from(sums.keys()).sort();
    return { items, values: Float32Array.from(items, (i) => sums.get(i)!) };
  }

  /** Users with at least one recent reservation held. */
  get users(): number {
    return this.#byUser.size;
  }

  /** Recent reservations held (those that carry weight). */
  get reservations(): number {
    return this.#reservations;
  }

  /** Reservations not kept because `maxUsers` users were held already. */
  get droppedReservations(): number {
    return this.#dropped;
  }

  /** Users held, in no particular order. */
  userIds(): IterableIterator<string> {
    return this.#byUser.keys();
  }
}
