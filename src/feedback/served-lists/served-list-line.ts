import { REC_LIST_COLUMNS, recListFromValues, recListValues, type RecListValues, type ServedListRow } from '../../warehouse/index.ts';

/**
 * One served list as a line of a batch file: a JSON array of the rec_list columns in a fixed order, then the
 * shown services' ranks and ids, and their scores as the base64 of a Float32Array (scores come from float32
 * factor tables: exact, and far cheaper than printing each as a decimal). A third of the bytes of the row as an
 * object, and about half the time to write on the serving thread, where every list is serialised as it is served.
 */
type Line = [...RecListValues, ranks: number[], serviceIds: string[], scores: string];

export function encodeServedList(row: ServedListRow): string {
  const { list: l, items } = row;
  const ranks = new Array<number>(items.length);
  const serviceIds = new Array<string>(items.length);
  const scores = new Float32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    ranks[i] = item.rank;
    serviceIds[i] = item.serviceId;
    scores[i] = item.score;
  }
  const line: Line = [...recListValues(l), ranks, serviceIds, Buffer.from(scores.buffer, scores.byteOffset, scores.byteLength).toString('base64')];
  return JSON.stringify(line);
}

/** A line of a batch file back as the row to write; also reads lines written as the row object itself. */
export function decodeServedList(text: string): ServedListRow {
  const parsed = JSON.parse(text) as Line | ServedListRow;
  if (!Array.isArray(parsed)) return parsed;
  const n = REC_LIST_COLUMNS.length;
  const ranks = parsed[n] as number[];
  const serviceIds = parsed[n + 1] as string[];
  const bytes = Buffer.from(parsed[n + 2] as string, 'base64');
  const scores = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return {
    list: recListFromValues(parsed.slice(0, n) as RecListValues),
    items: serviceIds.map((serviceId, i) => ({ rank: ranks[i]!, serviceId, score: scores[i]! })),
  };
}
