import { describe, expect, it } from 'vitest';
import { packShownItems, recListValues, unpackShownItems, type ServedListRow } from '../../warehouse/index.ts';
import { decodeServedList, encodeServedList } from './served-list-line.ts';

const items = [
  { rank: 1, serviceId: 'S1\t"tab"', score: Math.fround(0.123456789012345) },
  { rank: 2, serviceId: 'S\n2', score: Math.fround(-1e-9) },
];
const row: ServedListRow = {
  recommendationId: '019ae3c1-5a2b-7c3d-8e4f-0123456789ab',
  source: 'batch',
  batchId: '019ae3c1-5a2b-7c3d-8e4f-000000000000',
  userId: 'U "quoted" \u00e9\t',
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
  items: packShownItems(items, (i) => [i.serviceId, i.score]),
};

describe('served-list batch lines', () => {
  it('round-trip every column, item and score exactly, whatever the text holds (tabs and newlines too)', () => {
    const line = encodeServedList(row);
    expect(line).not.toContain('\n');
    expect(line.split('\t')).toHaveLength(2);
    const back = decodeServedList(line);
    expect(back).toEqual(row);
    expect(unpackShownItems(back.items)).toEqual(items);
  });

  it('carry the items column as it is, for the commit to bind without parsing it', () => {
    expect(encodeServedList(row).endsWith(`\t${row.items}`)).toBe(true);
  });

  it('read the lines older versions left on disk: rec_list columns with base64 float32 scores, or the row as an object', () => {
    const { items: _, ...list } = row;
    const scores = Float32Array.from(items.map((i) => i.score));
    // Items out of rank order in the old files still come back rank 1 first.
    const oldLine = JSON.stringify([
      ...recListValues(row).slice(0, -1),
      [2, 1],
      [items[1]!.serviceId, items[0]!.serviceId],
      Buffer.from(Float32Array.of(scores[1]!, scores[0]!).buffer).toString('base64'),
    ]);
    expect(decodeServedList(oldLine)).toEqual(row);
    expect(decodeServedList(JSON.stringify({ list, items }))).toEqual(row);
  });
});
