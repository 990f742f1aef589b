import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { ValidatedBatch } from '../preprocess/index.ts';
import { FileRejectedError } from '../shared/errors.ts';
import { packReservations, unpackReservations } from './parse-worker-protocol.ts';
import { readValidatedBatches } from './validated-batches.ts';
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

async function collect(read: typeof readValidatedBatches, csv: string, chunk = 4096): Promise<{ batches: ValidatedBatch[]; header: readonly string[] }> {
  const buffer = Buffer.from(csv);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buffer.length; i += chunk) chunks.push(buffer.subarray(i, i + chunk));
  const batches: ValidatedBatch[] = [];
  let header: readonly string[] = [];
  await read({
    source: Readable.from(chunks),
    kind: 'reservations',
    label: 'landing/reservations.csv',
    references: { users: new Set(Array.from({ length: 45 }, (_, i) => `u${i}`)), services: new Map(Array.from({ length: 7 }, (_, i) => [`s${i}`, i])) },
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
    const flat = (bs: ValidatedBatch[]) => ({ valid: bs.flatMap((b) => b.valid), rejects: bs.flatMap((b) => b.rejects) });
    expect(worker.header).toEqual(inline.header);
    expect(flat(worker.batches)).toEqual(flat(inline.batches));
    const { valid, rejects } = flat(worker.batches);
    expect(valid.length + rejects.length).toBe(12_001);
    expect(rejects.some((r) => r.code === 'UNKNOWN_USER')).toBe(true);
    expect(rejects.some((r) => r.code === 'BAD_STATUS')).toBe(true);
    expect(rejects.at(-1)).toMatchObject({ code: 'PARSE_ERROR', line: 12_002 });
  });

  it('reports a whole-file problem as FileRejectedError', async () => {
    await expect(collect(readValidatedBatchesInWorker, 'reservation_id;user_id;service_id;status;reserved_at;rating\n')).rejects.toThrow(FileRejectedError);
    await expect(collect(readValidatedBatchesInWorker, '')).rejects.toThrow(/empty \(0 bytes\)/);
  });

  it('packs and unpacks reservations without loss', () => {
    const rows = [
      { reservationId: 'r1', userId: 'u1', serviceId: 's1', status: 'completed' as const, reservedAt: '2024-01-01 00:00:00.000', dateKey: 20240101, rating: 5 },
      { reservationId: 'r2', userId: 'u2', serviceId: 's2', status: 'canceled' as const, reservedAt: '2024-01-02 10:00:00.500', dateKey: 20240102, rating: null },
    ];
    expect(unpackReservations(packReservations(rows))).toEqual(rows);
    expect(unpackReservations(packReservations([]))).toEqual([]);
  });
});
