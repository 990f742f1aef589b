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
