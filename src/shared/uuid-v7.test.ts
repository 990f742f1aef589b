import { describe, expect, it } from 'vitest';
import { uuidV7 } from './uuid-v7.ts';

const SHAPE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('uuidV7', () => {
  it('is an RFC 9562 version 7 UUID whose first 48 bits are the milliseconds', () => {
    const id = uuidV7(Date.UTC(2026, 2, 2, 10, 0, 0, 123));
    expect(id).toMatch(SHAPE);
    expect(parseInt(id.replace('-', '').slice(0, 12), 16)).toBe(Date.UTC(2026, 2, 2, 10, 0, 0, 123));
  });

  it('sorts in the order made, within one millisecond and across many, and never repeats', () => {
    const t = Date.UTC(2030, 0, 1);
    const ids = [...Array.from({ length: 5000 }, () => uuidV7(t)), ...Array.from({ length: 100 }, (_, i) => uuidV7(t + 10 + i))];
    expect(ids.every((id) => SHAPE.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual(ids);
  });

  it('keeps the order when the clock steps back', () => {
    const t = Date.UTC(2031, 0, 1);
    const first = uuidV7(t);
    const after = uuidV7(t - 5000);
    expect(after > first).toBe(true);
  });
});
