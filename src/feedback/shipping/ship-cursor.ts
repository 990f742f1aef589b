import { ValidationError } from '../../shared/index.ts';

/**
 * How far one sink has confirmed the outbox: the largest `feedbackId` such that every event up to it was delivered
 * (or found already delivered). 0 before the first delivery. A shipper sets it only after the sink confirmed, so a
 * crash between the two resends a batch the sink then reports as duplicates: delivery is exactly once by event id.
 */
export interface ShipCursor {
  /** The stored position; 0 when nothing was ever confirmed. */
  get(): Promise<number>;
  /** Stores a position durably before resolving (rejects when it could not be stored). */
  set(feedbackId: number): Promise<void>;
}

/** Checks a position the same way in every adapter. */
export function checkCursorPosition(feedbackId: number): void {
  if (!Number.isSafeInteger(feedbackId) || feedbackId < 0) {
    throw new ValidationError(`a ship cursor position is a non-negative integer (a feedbackId), got ${String(feedbackId)}`);
  }
}
