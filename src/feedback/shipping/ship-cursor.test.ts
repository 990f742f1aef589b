import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileShipCursor } from './file-ship-cursor.ts';
import { MemoryShipCursor } from './memory-ship-cursor.ts';
import { runShipCursorContract } from './ship-cursor.contract.ts';

runShipCursorContract('MemoryShipCursor', async () => {
  const cursor = new MemoryShipCursor();
  return { cursor, reopen: () => cursor, cleanup: async () => {} };
});

runShipCursorContract('FileShipCursor', async () => {
  const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-cursor-'));
  const file = path.join(dir, 'feedback', 'elasticsearch.cursor.json');
  return { cursor: new FileShipCursor({ file }), reopen: () => new FileShipCursor({ file }), cleanup: () => rm(dir, { recursive: true, force: true }) };
});

describe('FileShipCursor', () => {
  const withDir = async (body: (dir: string) => Promise<void>) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'pickwise-cursor-'));
    try {
      await body(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('creates its folder, writes plain JSON and leaves no temporary file behind', () =>
    withDir(async (dir) => {
      const file = path.join(dir, 'a', 'b', 'es.cursor.json');
      await new FileShipCursor({ file }).set(12);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual({ feedbackId: 12 });
      expect(await readdir(path.dirname(file))).toEqual(['es.cursor.json']);
    }));

  it('keeps the old position when a write leaves only a stray temporary file (a crash before the rename)', () =>
    withDir(async (dir) => {
      const file = path.join(dir, 'es.cursor.json');
      const cursor = new FileShipCursor({ file });
      await cursor.set(7);
      await writeFile(`${file}.99999.tmp`, '{"feedbackId": 9');
      expect(await new FileShipCursor({ file }).get()).toBe(7);
    }));

  it('explains a damaged cursor file and how to recover', () =>
    withDir(async (dir) => {
      const file = path.join(dir, 'es.cursor.json');
      await writeFile(file, 'not json');
      await expect(new FileShipCursor({ file }).get()).rejects.toThrow(/does not hold \{"feedbackId".*delete it to ship everything again/);
      await writeFile(file, '{"feedbackId": -3}');
      await expect(new FileShipCursor({ file }).get()).rejects.toThrow(/non-negative integer/);
    }));
});
