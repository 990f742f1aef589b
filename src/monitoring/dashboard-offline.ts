import type { RegisteredVersionRow } from '../warehouse/index.ts';

/** A model version's key in the dashboard's maps: name and version ('' and 0 for none). */
export const keyOf = (model: string, version: number): string => `${model}\n${version}`;

/** A model version's offline metrics from its training run: hold-out NDCG@k and its lift over popularity in percent. */
export interface OfflineMetrics {
  readonly ndcgAt10: number | null;
  /** 100 · (model − popularity) / popularity, on the same hold-out split; null when either is unknown or popularity is 0. */
  readonly liftOverPopularity: number | null;
}

/** Offline metrics by model version key. */
export function offlineByVersion(versions: readonly RegisteredVersionRow[]): Map<string, OfflineMetrics> {
  return new Map(
    versions.map((v) => [
      keyOf(v.modelName, v.version),
      {
        ndcgAt10: v.holdoutNdcg,
        liftOverPopularity:
          v.holdoutNdcg === null || v.popularityNdcg === null || v.popularityNdcg === 0
            ? null
            : (100 * (v.holdoutNdcg - v.popularityNdcg)) / Math.abs(v.popularityNdcg),
      },
    ]),
  );
}

/** A ledger's `rejects_by_code` JSON as counts (anything else as none). */
export function parseCounts(json: string): Record<string, number> {
  try {
    const parsed = JSON.parse(json) as unknown;
    if (parsed === null || typeof parsed !== 'object') return {};
    return Object.fromEntries(Object.entries(parsed).filter((e): e is [string, number] => typeof e[1] === 'number'));
  } catch {
    return {};
  }
}
