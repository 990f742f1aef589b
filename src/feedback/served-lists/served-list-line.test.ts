import { describe, expect, it } from 'vitest';
import type { ServedListRow } from '../../warehouse/index.ts';
import { decodeServedList, encodeServedList } from './served-list-line.ts';

const row: ServedListRow = {
  list: {
    recommendationId: '019ae3c1-5a2b-7c3d-8e4f-0123456789ab',
    source: 'batch',
    batchId: '019ae3c1-5a2b-7c3d-8e4f-000000000000',
    userId: 'U "quoted" \u00e9',
    modelName: 'shop',
    registryVersion: 3,
    modelKind: 'als',
    artifactVersion: 'v1',
    basis: 'model',
    filterCategory: 'hair, nails',
    filterRegion: null,
    k: 3,
    itemCount: 2,
    createdAt: '2026-12-03 07:14:16.123',
  },
  items: [
    { rank: 1, serviceId: 'S1', score: Math.fround(0.123456789012345) },
    { rank: 2, serviceId: 'S\n2', score: Math.fround(-1e-9) },
  ],
};

describe('served-list batch lines', () => {
  it('round-trip every column, item and score (scores are float32, as models make them) exactly, whatever the text holds', () => {
    const line = encodeServedList(row);
    expect(line).not.toContain('\n');
    expect(decodeServedList(line)).toEqual(row);
  });

  it('are about a third of the bytes of the row as an object', () => {
    expect(encodeServedList(row).length).toBeLessThan(JSON.stringify(row).length * 0.5);
  });

  it('read lines written as the row object too (batches left by an older process)', () => {
    expect(decodeServedList(JSON.stringify(row))).toEqual(row);
  });
});
