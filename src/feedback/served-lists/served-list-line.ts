import { packShownItems, REC_LIST_COLUMNS, recListFromValues, recListValues, type RecListValues, type ServedListRow } from '../../warehouse/index.ts';

/**
 * One served list as a line of a batch file: its rec_list columns but the last (`items`) as a JSON array in column
 * order, a tab, then `items` as it is (JSON never holds a raw tab, so the first tab ends the array). The commit
 * reads the array and binds `items` without parsing it: the line costs the serving thread one JSON.stringify and
 * the commit thread one JSON.parse of the short part.
 */
type Head = RecListValues extends [...infer H, string] ? H : never;

export function encodeServedList(row: ServedListRow): string {
  const values = recListValues(row);
  return `${JSON.stringify(values.slice(0, -1))}\t${values[values.length - 1]}`;
}

/** A line of a batch file back as the row to write; also reads the lines older versions wrote (see `legacyRow`). */
export function decodeServedList(text: string): ServedListRow {
  const tab = text.indexOf('\t');
  if (tab < 0) return legacyRow(JSON.parse(text) as LegacyLine | LegacyRow);
  const head = JSON.parse(text.slice(0, tab)) as Head;
  return recListFromValues([...head, text.slice(tab + 1)]);
}

/** Lines older versions wrote: the rec_list columns then ranks, service ids and base64 float32 scores; or an object. */
type LegacyLine = [...Head, ranks: number[], serviceIds: string[], scores: string];
interface LegacyRow {
  readonly list: Omit<ServedListRow, 'items'>;
  readonly items: readonly { rank: number; serviceId: string; score: number }[];
}

function legacyRow(parsed: LegacyLine | LegacyRow): ServedListRow {
  if (!Array.isArray(parsed))
    return {
      ...parsed.list,
      items: packShownItems(
        [...parsed.items].sort((a, b) => a.rank - b.rank),
        (i) => [i.serviceId, i.score],
      ),
    };
  const n = REC_LIST_COLUMNS.length - 1;
  const ranks = parsed[n] as number[];
  const serviceIds = parsed[n + 1] as string[];
  const bytes = Buffer.from(parsed[n + 2] as string, 'base64');
  const scores = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  const items = serviceIds.map((serviceId, i) => ({ rank: ranks[i]!, serviceId, score: scores[i]! })).sort((a, b) => a.rank - b.rank);
  return recListFromValues([...(parsed.slice(0, n) as Head), packShownItems(items, (i) => [i.serviceId, i.score])]);
}
