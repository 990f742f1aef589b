import { afterEach, describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.ts';
import type { ShipCursor } from './ship-cursor.ts';

/**
 * What a contract run needs from an adapter's test: a fresh cursor, and `reopen` giving another instance over the
 * same stored position (as a restarted process would see it).
 */
export type ShipCursorFactory = () => Promise<{ cursor: ShipCursor; reopen(): ShipCursor; cleanup(): Promise<void> }>;

/** The one behavioural suite every {@link ShipCursor} adapter must pass. */
export function runShipCursorContract(name: string, factory: ShipCursorFactory): void {
  describe(`ShipCursor contract: ${name}`, () => {
    let cleanup: (() => Promise<void>) | undefined;
    const open = async () => {
      const opened = await factory();
      cleanup = opened.cleanup;
      return opened;
    };
    afterEach(async () => {
      await cleanup?.();
      cleanup = undefined;
    });

    it('starts at 0', async () => {
      const { cursor } = await open();
      expect(await cursor.get()).toBe(0);
    });

    it('returns the last position set, also to a new instance over the same store', async () => {
      const { cursor, reopen } = await open();
      await cursor.set(41);
      await cursor.set(1_000_000_007);
      expect(await cursor.get()).toBe(1_000_000_007);
      expect(await reopen().get()).toBe(1_000_000_007);
    });

    it('can be set back (to ship again from an earlier point)', async () => {
      const { cursor } = await open();
      await cursor.set(50);
      await cursor.set(10);
      expect(await cursor.get()).toBe(10);
    });

    it('refuses a position that is not a non-negative integer and keeps the old one', async () => {
      const { cursor } = await open();
      await cursor.set(5);
      await expect(cursor.set(-1)).rejects.toThrow(ValidationError);
      await expect(cursor.set(2.5)).rejects.toThrow(/non-negative integer/);
      await expect(cursor.set(Number.NaN)).rejects.toThrow(/non-negative integer/);
      expect(await cursor.get()).toBe(5);
    });
  });
}
