import { availableParallelism } from 'node:os';
import { rankingMetricsAtK, type RankingReport } from '../src/evaluation/index.ts';
import { createRecommender, isModelKind } from '../src/models/catalog.ts';
import type { CsrMatrix, EpochReport, Recommender } from '../src/models/core/index.ts';

export interface ModelRow {
  readonly model: string;
  readonly report: RankingReport;
  /** The same at 20 (the cut-off of the large public benchmarks: Gowalla, Yelp2018, Amazon-Book). */
  readonly report20: RankingReport;
  readonly fitSeconds: number;
  /** Mean seconds per iteration/epoch, from the model's own epoch reports. */
  readonly secondsPerEpoch: number;
  readonly epochs: number;
  /** Seconds for top-10 of every user with seen items excluded. */
  readonly recommendAllSeconds: number;
}

/** A model to fit: a kind with its defaults, or a kind with parameters (tuned ones, say) and a label. */
export type ModelSpec = string | { readonly kind: string; readonly params: Readonly<Record<string, unknown>>; readonly label: string };

/** Fits each model (defaults unless given parameters) on `train`, times it, and scores it on `test` (top 10 and top 20, seen excluded). */
export async function fitAndScore(train: CsrMatrix, test: CsrMatrix, models: readonly ModelSpec[], threads = availableParallelism()): Promise<ModelRow[]> {
  const rows: ModelRow[] = [];
  for (const spec of models) {
    const { kind, params, label } = typeof spec === 'string' ? { kind: spec, params: {}, label: spec } : spec;
    if (!isModelKind(kind)) throw new Error(`unknown model ${kind}`);
    const model: Recommender = createRecommender(kind, { ...params });
    const epochs: EpochReport[] = [];
    const t = performance.now();
    await model.fit(train, { seed: 42, threads, onEpoch: (r) => void epochs.push(r) });
    const fitSeconds = (performance.now() - t) / 1000;
    const r0 = performance.now();
    const all = Int32Array.from({ length: train.rows }, (_, u) => u);
    for (let start = 0; start < all.length; start += 4096) model.recommend(all.subarray(start, start + 4096), { k: 10, exclude: train });
    const recommendAllSeconds = (performance.now() - r0) / 1000;
    const secondsPerEpoch = epochs.length > 0 ? epochs.reduce((s, e) => s + e.seconds, 0) / epochs.length : fitSeconds;
    rows.push({
      model: label,
      report: rankingMetricsAtK(model, train, test, { k: 10 }),
      report20: rankingMetricsAtK(model, train, test, { k: 20 }),
      fitSeconds,
      secondsPerEpoch,
      epochs: epochs.length,
      recommendAllSeconds,
    });
  }
  return rows;
}

/** The table both model benchmarks print: quality, lift over popularity, and timings. */
export function printModelTable(rows: readonly ModelRow[]): void {
  const base = rows.find((r) => r.model === 'popular');
  console.log(
    '\nmodel          | recall@10 | NDCG@10 | MAP@10 | hit rate | coverage | lift NDCG | recall@20 | NDCG@20 | lift NDCG@20 | fit s  | s/epoch | recommend all s',
  );
  console.log(
    '---------------|-----------|---------|--------|----------|----------|-----------|-----------|---------|--------------|--------|---------|----------------',
  );
  const lift = (r: ModelRow, of: (x: ModelRow) => number) => (base && r.model !== 'popular' ? `${(((of(r) - of(base)) / of(base)) * 100).toFixed(0)} %` : '—');
  for (const r of rows) {
    console.log(
      `${r.model.padEnd(14)} | ${r.report.recall.toFixed(4).padStart(9)} | ${r.report.ndcg.toFixed(4).padStart(7)} | ${r.report.map.toFixed(4).padStart(6)} | ` +
        `${r.report.hitRate.toFixed(3).padStart(8)} | ${r.report.coverage.toFixed(3).padStart(8)} | ${lift(r, (x) => x.report.ndcg).padStart(9)} | ` +
        `${r.report20.recall.toFixed(4).padStart(9)} | ${r.report20.ndcg.toFixed(4).padStart(7)} | ${lift(r, (x) => x.report20.ndcg).padStart(12)} | ` +
        `${r.fitSeconds.toFixed(2).padStart(6)} | ${r.secondsPerEpoch.toFixed(3).padStart(7)} | ${r.recommendAllSeconds.toFixed(2).padStart(6)}`,
    );
  }
  console.log(`(${rows[0]?.report.users ?? 0} test users)`);
}
