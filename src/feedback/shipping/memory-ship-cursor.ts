import { checkCursorPosition, type ShipCursor } from './ship-cursor.ts';

/** A {@link ShipCursor} held in memory: for tests and dry runs (forgotten when the process ends). */
export class MemoryShipCursor implements ShipCursor {
  #position: number;

  constructor(position = 0) {
    checkCursorPosition(position);
    this.#position = position;
  }

  async get(): Promise<number> {
    return this.#position;
  }

  async set(feedbackId: number): Promise<void> {
    checkCursorPosition(feedbackId);
    this.#position = feedbackId;
  }
}
