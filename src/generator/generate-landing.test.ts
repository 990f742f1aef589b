import { beforeAll, describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.ts';
import { DIRTY_KINDS, LANDING_FILES, LANDING_HEADERS, generateLanding } from './index.ts';
import { audit, generate, memorySink, type Generated } from './landing-test-support.ts';

const BASE = { users: 1500, services: 200, reservations: 12_000, seed: 11 } as const;
const FILES = ['users', 'services', 'reservations'] as const;

describe('generateLanding', () => {
  let clean: Generated;
  let dirty: Generated;
  beforeAll(async () => {
    clean = await generate({ ...BASE, dirty: 0 });
    dirty = await generate({ ...BASE, dirty: 0.05 }, { asyncWrites: true });
  });

  it('writes the three contract files with their exact headers and the reported row counts', () => {
    expect([...clean.text.keys()]).toEqual(['users.csv', 'services.csv', 'reservations.csv']);
    for (const file of FILES) {
      const body = clean.text.get(LANDING_FILES[file]) ?? '';
      expect(body.slice(0, body.indexOf('\n'))).toBe(LANDING_HEADERS[file].join(','));
      const summary = clean.summary.files.find((f) => f.name === LANDING_FILES[file]);
      expect(summary?.rows).toBe((clean.records.get(LANDING_FILES[file])?.length ?? 0) - 1);
      expect(body.endsWith('\n')).toBe(true);
    }
    const rows = clean.summary.files.map((f) => f.rows);
    expect(rows[0]).toBe(BASE.users);
    expect(rows[1]).toBe(BASE.services);
    // Plus ~1 % status-update rows.
    expect(rows[2]).toBeGreaterThan(BASE.reservations * 1.005);
    expect(rows[2]).toBeLessThan(BASE.reservations * 1.02);
  });

  it('is deterministic per seed', async () => {
    const again = await generate({ ...BASE, dirty: 0 });
    expect(again.text).toEqual(clean.text);
    const other = await generate({ ...BASE, dirty: 0, seed: 12 });
    for (const name of clean.text.keys()) expect(other.text.get(name)).not.toBe(clean.text.get(name));
  });

  it('writes only valid rows when dirty is 0, quoting names that need it', () => {
    const { violations, clean: rows } = audit(clean);
    expect(violations).toEqual({});
    expect(clean.summary.files.every((f) => f.dirtyRows === 0)).toBe(true);
    expect(Object.values(clean.summary.dirtyByKind).every((n) => n === 0)).toBe(true);
    const names = rows.services.map((r) => r[1] ?? '');
    expect(names.some((n) => n.includes(','))).toBe(true);
    expect(names.some((n) => n.includes('"'))).toBe(true);
    expect(names.some((n) => /[가-힣]/.test(n))).toBe(true);
    expect(clean.text.get('services.csv')).toMatch(/,"[^"\n]*""[^\n]*",/);
  });

  it('mixes in the requested share of invalid rows, each of the kind it reports', () => {
    const { violations } = audit(dirty);
    for (const f of dirty.summary.files) {
      // Exact up to rounding to whole rows.
      expect(Math.abs(f.dirtyRows - 0.05 * f.rows)).toBeLessThanOrEqual(1);
    }
    const reported = Object.fromEntries(Object.entries(dirty.summary.dirtyByKind).filter(([, n]) => n > 0));
    expect(violations).toEqual(reported);
    const total = Object.values(violations).reduce((a, b) => a + b, 0);
    expect(total).toBe(dirty.summary.files.reduce((a, f) => a + f.dirtyRows, 0));
  });

  it('emits every dirty kind of every file once a file has 1k+ rows', async () => {
    const small = await generate({ users: 1000, services: 1000, reservations: 1000, seed: 3, dirty: 0.02 });
    for (const file of FILES) {
      for (const kind of DIRTY_KINDS[file]) expect(small.summary.dirtyByKind[`${file}.${kind}`]).toBeGreaterThan(0);
    }
  });

  it('leaves the clean rows untouched whatever the dirty share', () => {
    const a = audit(clean).clean;
    const b = audit(dirty).clean;
    for (const file of FILES) expect(b[file]).toEqual(a[file]);
  });

  it('writes in chunks of whole lines, awaits the writer and closes every file once', () => {
    for (const [name, chunks] of dirty.chunks) {
      expect(chunks.length).toBeGreaterThan(0);
      for (const chunk of chunks) {
        expect(chunk.endsWith('\n')).toBe(true);
        expect(chunk.split('\n').length - 1).toBeLessThanOrEqual(4096);
      }
      expect(dirty.closed.filter((n) => n === name)).toHaveLength(1);
    }
    expect(dirty.chunks.get('reservations.csv')?.length).toBeGreaterThan(2);
  });

  it('writes header-only files when there is nothing to generate', async () => {
    const empty = await generate({ users: 0, services: 0, reservations: 0, seed: 1, dirty: 0.1 });
    for (const file of FILES) expect(empty.text.get(LANDING_FILES[file])).toBe(`${LANDING_HEADERS[file].join(',')}\n`);
  });

  it('rejects impossible options', async () => {
    const { sink } = memorySink({ asyncWrites: false });
    const bad = [
      { ...BASE, dirty: 1 },
      { ...BASE, dirty: -0.1 },
      { ...BASE, dirty: 0, users: 1.5 },
      { ...BASE, dirty: 0, seed: Number.NaN },
      { ...BASE, dirty: 0, users: 0 },
      { ...BASE, dirty: 0, start: new Date('2024-06-01T00:00:00Z'), end: new Date('2024-06-01T00:00:00Z') },
    ];
    for (const opts of bad) await expect(generateLanding(opts, sink)).rejects.toBeInstanceOf(ValidationError);
  });

  it('closes the file and reports the write error when the sink fails', async () => {
    const closed: string[] = [];
    const failing = {
      open: (name: string) => ({
        write: () => Promise.reject(new Error('disk full')),
        close: async () => void closed.push(name),
      }),
    };
    await expect(generateLanding({ ...BASE, dirty: 0 }, failing)).rejects.toThrow('disk full');
    expect(closed).toEqual(['users.csv']);
  });
});
