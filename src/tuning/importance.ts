import type { Space } from './sampler.ts';
import type { TrialRecord } from './trial.ts';

/**
 * How much of the spread of the complete trials' values each parameter explains, as the correlation ratio η²
 * (between-group over total variance) with numeric parameters cut into up to four equal-count bins (at least
 * two trials each) and categorical ones grouped by choice; normalised to sum to 1. A quick, model-free reading of "what mattered" (Optuna's default is fANOVA,
 * heavier and needing more trials). Empty with fewer than 4 complete trials or no spread.
 */
export function parameterImportance(space: Space, trials: readonly TrialRecord[]): Record<string, number> {
  const complete = trials.filter((t) => t.state === 'complete' && Number.isFinite(t.value));
  if (complete.length < 4) return {};
  const values = complete.map((t) => t.value!);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const total = values.reduce((a, v) => a + (v - mean) ** 2, 0);
  if (!(total > 0)) return {};
  const raw: Record<string, number> = {};
  for (const [name, range] of Object.entries(space)) {
    const groupOf = groupsFor(
      range.type === 'categorical',
      complete.map((t) => t.params[name]),
      Math.min(4, Math.floor(complete.length / 2)),
    );
    const sums = new Map<number, { n: number; sum: number }>();
    complete.forEach((t, i) => {
      const g = groupOf[i]!;
      const acc = sums.get(g) ?? { n: 0, sum: 0 };
      acc.n++;
      acc.sum += t.value!;
      sums.set(g, acc);
    });
    let between = 0;
    for (const { n, sum } of sums.values()) between += n * (sum / n - mean) ** 2;
    raw[name] = between / total;
  }
  const norm = Object.values(raw).reduce((a, b) => a + b, 0);
  return Object.fromEntries(
    Object.entries(raw)
      .map(([k, v]) => [k, norm > 0 ? v / norm : 0])
      .sort((a, b) => (b[1] as number) - (a[1] as number)),
  );
}

/** Group index per value: the choice for categorical values, one of `bins` equal-count bins (by rank) for numbers. */
function groupsFor(categorical: boolean, values: readonly unknown[], bins: number): number[] {
  if (categorical) {
    const seen = new Map<unknown, number>();
    return values.map((v) => {
      if (!seen.has(v)) seen.set(v, seen.size);
      return seen.get(v)!;
    });
  }
  const order = values.map((_, i) => i).sort((a, b) => (values[a] as number) - (values[b] as number));
  const groups = new Array<number>(values.length);
  order.forEach((i, rank) => (groups[i] = Math.min(bins - 1, Math.floor((rank * bins) / values.length))));
  return groups;
}
