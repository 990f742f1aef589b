import { describe, expect, it } from 'vitest';
import { BulkBuffer } from './bulk-buffer.ts';

describe('BulkBuffer', () => {
  it('sends full statements of one size and the rest on flush, in order', async () => {
    const sent: { rows: number; params: unknown[] }[] = [];
    const buffer = new BulkBuffer(2, 3, async (rows, params) => void sent.push({ rows, params }));
    for (let i = 0; i < 7; i++) await buffer.append([`id${i}`, i]);
    expect(sent.map((s) => s.rows)).toEqual([3, 3]);
    await buffer.flush();
    await buffer.flush();
    expect(sent.map((s) => s.rows)).toEqual([3, 3, 1]);
    expect(sent.flatMap((s) => s.params)).toEqual(Array.from({ length: 7 }, (_, i) => [`id${i}`, i]).flat());
  });

  it('never reuses an array it has sent (a driver may still read it)', async () => {
    const sent: unknown[][] = [];
    const buffer = new BulkBuffer(1, 2, async (_rows, params) => void sent.push(params));
    for (let i = 0; i < 4; i++) await buffer.append([i]);
    expect(sent).toEqual([
      [0, 1],
      [2, 3],
    ]);
    expect(sent[0]).not.toBe(sent[1]);
  });
});
