import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FileRejectedError } from '../shared/errors.ts';
import { referenceKeysOf, reservationColumns } from '../preprocess/index.ts';
import { packReservations, unpackReservations } from './parse-worker-protocol.ts';
import { readValidatedBatches, type LoadBatch } from './validated-batches.ts';
import { readValidatedBatchesInWorker } from './worker-batches.ts';

function reservationsCsv(n: number): string {
  const lines = ['reservation_id,user_id,service_id,status,reserved_at,rating'];
  for (let i = 1; i <= n; i++) {
    const bad = i % 97 === 0 ? 'done' : i % 3 === 0 ? 'canceled' : 'completed';
    lines.push(`r${i},u${i % 50},s${i % 7},${bad},2024-0${1 + (i % 9)}-1${i % 10}T0${i % 10}:00:00+09:00,${i % 5 === 0 ? '' : (i % 5) + 1}`);
  }
  lines.push('r-last,u1,"s1');
  return lines.join('\n') + '\n';
}

async function collect(read: typeof readValidatedBatches, csv: string, chunk = 4096): Promise<{ batches: LoadBatch[]; header: readonly string[] }> {
  const buffer = Buffer.from(csv);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += chunk) chunks.push(buffer.subarray(i, i + chunk));
  const batches: LoadBatch[] = [];
  let header: readonly string[] = [];
  await read({
    source: Readable.from(chunks),
    kind: 'reservations',
    label: 'landing/reservations.csv',
    rules: { nowMs: Date.UTC(2026, 0, 1), maxClockSkewMs: 86_400_000 },
    maxRecordBytes: 64 << 10,
    references: {
      users: new Map(Array.from({ length: 45 }, (_, i) => [`u${i}`, 100 + i])),
      services: new Map(Array.from({ length: 7 }, (_, i) => [`s${i}`, i + 1])),
    },
    handlers: {
      onHeader: (v) => (header = v.header),
      onBatch: async (b) => {
        batches.push(b);
      },
    },
  });
  return { batches, header };
}

describe('parsing in a worker thread', () => {
  it('yields exactly what the in-thread reader yields: rows, rejects, lines and order', async () => {
    const csv = reservationsCsv(12_000);
    const inline = await collect(readValidatedBatches, csv);
    const worker = await collect(readValidatedBatchesInWorker, csv, 1 << 16);
    const flat = (bs: LoadBatch[]) => ({
      strings: bs.flatMap((b) => [...(b.reservations?.strings ?? [])]),
      ints: bs.flatMap((b) => [...(b.reservations?.ints ?? [])]),
      rejects: bs.flatMap((b) => b.rejects),
    });
    expect(worker.header).toEqual(inline.header);
    expect(flat(worker.batches)).toEqual(flat(inline.batches));
    const { strings, ints, rejects } = flat(worker.batches);
    expect(strings.length / 2 + rejects.length).toBe(12_001);
    expect(ints.length).toBe((strings.length / 2) * 5);
    // Row r1: user u1 → key 101, service s1 → key 2, 2024-02-11T01:00+09:00 → 2024-02-10 16:00 UTC, completed, rating 2.
    expect(strings.slice(0, 2)).toEqual(['r1', '2024-02-10 16:00:00.000']);
    expect(ints.slice(0, 5)).toEqual([101, 2, 20240210, 1, 2]);
    expect(rejects.some((r) => r.code === 'UNKNOWN_USER')).toBe(true);
    expect(rejects.some((r) => r.code === 'BAD_STATUS')).toBe(true);
    expect(rejects.at(-1)).toMatchObject({ code: 'PARSE_ERROR', line: 12_002 });
  });

  it('reports a whole-file problem as FileRejectedError', async () => {
    await expect(collect(readValidatedBatchesInWorker, 'reservation_id;user_id;service_id;status;reserved_at;rating\n')).rejects.toThrow(FileRejectedError);
    await expect(collect(readValidatedBatchesInWorker, '')).rejects.toThrow(/empty \(0 bytes\)/);
  });

  it('packs and unpacks reservation columns without loss', () => {
    const rows = [
      { reservationId: 'r1', userId: 'u1', serviceId: 's1', status: 'completed' as const, reservedAt: '2024-01-01 00:00:00.000', dateKey: 20240101, rating: 5 },
      {
        reservationId: 'r2',
        userId: 'u2',
        serviceId: 's2',
        status: 'canceled' as const,
        reservedAt: '2024-01-02 10:00:00.500',
        dateKey: 20240102,
        rating: null,
      },
    ];
    const keys = {
      users: new Map([
        ['u1', 7],
        ['u2', 8],
      ]),
      services: new Map([
        ['s1', 3],
        ['s2', 4],
      ]),
    };
    const columns = reservationColumns(rows, referenceKeysOf(rows, keys));
    expect(columns.strings).toEqual(['r1', '2024-01-01 00:00:00.000', 'r2', '2024-01-02 10:00:00.500']);
    expect([...columns.ints]).toEqual([7, 3, 20240101, 1, 5, 8, 4, 20240102, 2, 0]);
    expect(unpackReservations(packReservations(columns))).toEqual(columns);
    expect(unpackReservations(packReservations(reservationColumns([], new Int32Array(0))))).toEqual({ n: 0, strings: [], ints: new Int32Array(0) });
    expect(() => referenceKeysOf(rows, { users: keys.users, services: new Map() })).toThrow(/service 's1'/);
    expect(() => reservationColumns(rows, new Int32Array(2))).toThrow(/need 4 reference keys/);
  });
});
