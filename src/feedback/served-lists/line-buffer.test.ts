import { describe, expect, it } from 'vitest';
import { LineBuffer } from './line-buffer.ts';

describe('LineBuffer', () => {
  it('holds lines as UTF-8 bytes ending in newlines, and starts over after take', () => {
    const b = new LineBuffer();
    b.append('["a",1]');
    b.append('é 日本 😀');
    expect(b.lines).toBe(2);
    const { bytes, lines } = b.take();
    expect(lines).toBe(2);
    expect(bytes.toString('utf8')).toBe('["a",1]\né 日本 😀\n');
    expect(b.lines).toBe(0);
    b.append('x');
    expect(b.take().bytes.toString('utf8')).toBe('x\n');
  });

  it('grows past its first megabyte without losing or reordering a byte', () => {
    const b = new LineBuffer();
    const lines = Array.from({ length: 6000 }, (_, i) => `${i}:${'ü'.repeat(200 + (i % 7))}`);
    for (const line of lines) b.append(line);
    const { bytes } = b.take();
    expect(bytes.length).toBeGreaterThan(2 * (1 << 20) - 100_000);
    expect(bytes.toString('utf8')).toBe(lines.join('\n') + '\n');
  });
});
