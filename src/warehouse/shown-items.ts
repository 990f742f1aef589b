/** A service a served list showed, at its 1-based rank, with the model's score. */
export interface ShownItem {
  readonly rank: number;
  readonly serviceId: string;
  readonly score: number;
}

/**
 * The services a served list showed, in rank order, as rec_list.items holds them: a JSON array of
 * `[service_id, score]` pairs (`pair` picks them from an item), the first at rank 1. One column instead of a row per item: recording a list writes
 * one row, and the `rec_impression` view (JSON_TABLE on MariaDB, json_each on SQLite) shows one row per item.
 */
export function packShownItems<T>(items: readonly T[], pair: (item: T) => readonly [serviceId: string, score: number]): string {
  // Built as text rather than JSON.stringify of pairs: half the time, and it runs on the serving thread per list.
  let text = '[';
  for (let i = 0; i < items.length; i++) {
    const [serviceId, score] = pair(items[i]!);
    text += `${i === 0 ? '' : ','}[${JSON.stringify(serviceId)},${Number.isFinite(score) ? score : 'null'}]`;
  }
  return `${text}]`;
}

/** The items of a rec_list.items value, rank 1 first ('' or null: none). */
export function unpackShownItems(items: string | null): ShownItem[] {
  if (items === null || items === '') return [];
  return (JSON.parse(items) as [string, number][]).map(([serviceId, score], i) => ({ rank: i + 1, serviceId, score }));
}

/** Each pair's opening `["service_id",` in rec_list.items; the id as JSON wrote it (escapes kept). */
const SERVICE_OF_PAIR = /\["((?:[^"\\]|\\.)*)",/g;

/**
 * The service ids of a rec_list.items value, rank 1 first, read without building the pairs: what the rollups need
 * of every list recorded (half the time of JSON.parse, which matters at thousands of lists a second).
 */
export function shownServiceIds(items: string | null): string[] {
  const out: string[] = [];
  if (items === null || items === '') return out;
  SERVICE_OF_PAIR.lastIndex = 0;
  for (let m = SERVICE_OF_PAIR.exec(items); m !== null; m = SERVICE_OF_PAIR.exec(items)) {
    const id = m[1]!;
    out.push(id.includes('\\') ? (JSON.parse(`"${id}"`) as string) : id);
  }
  return out;
}
