import type { RecListSource, ServedListRow } from '../../warehouse/index.ts';

/**
 * One served list as a line of a batch file: a JSON array of the rec_list columns in a fixed order, then the
 * shown services' ranks and ids, and their scores as the base64 of a Float32Array (scores come from float32
 * factor tables: exact, and far cheaper than printing each as a decimal). A third of the bytes of the row as an object, and
 * about half the time to write on the serving thread, where every list is serialised as it is served.
 */
type Line = [
  recommendationId: string,
  source: RecListSource,
  batchId: string | null,
  userId: string | null,
  modelName: string | null,
  registryVersion: number | null,
  modelKind: string,
  artifactVersion: string,
  basis: string,
  filterCategory: string | null,
  filterRegion: string | null,
  k: number,
  itemCount: number,
  createdAt: string,
  ranks: number[],
  serviceIds: string[],
  scores: string,
];

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
  const line: Line = [
    l.recommendationId,
    l.source,
    l.batchId ?? null,
    l.userId ?? null,
    l.modelName ?? null,
    l.registryVersion ?? null,
    l.modelKind,
    l.artifactVersion,
    l.basis,
    l.filterCategory ?? null,
    l.filterRegion ?? null,
    l.k,
    l.itemCount,
    l.createdAt,
    ranks,
    serviceIds,
    Buffer.from(scores.buffer, scores.byteOffset, scores.byteLength).toString('base64'),
  ];
  return JSON.stringify(line);
}

/** A line of a batch file back as the row to write; also reads lines written as the row object itself. */
export function decodeServedList(text: string): ServedListRow {
  const parsed = JSON.parse(text) as Line | ServedListRow;
  if (!Array.isArray(parsed)) return parsed;
  const [
    recommendationId,
    source,
    batchId,
    userId,
    modelName,
    registryVersion,
    modelKind,
    artifactVersion,
    basis,
    filterCategory,
    filterRegion,
    k,
    itemCount,
    createdAt,
    ranks,
    serviceIds,
    encoded,
  ] = parsed;
  const bytes = Buffer.from(encoded, 'base64');
  const scores = new Float32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
  return {
    list: {
      recommendationId,
      source,
      batchId,
      userId,
      modelName,
      registryVersion,
      modelKind,
      artifactVersion,
      basis,
      filterCategory,
      filterRegion,
      k,
      itemCount,
      createdAt,
    },
    items: serviceIds.map((serviceId, i) => ({ rank: ranks[i]!, serviceId, score: scores[i]! })),
  };
}
