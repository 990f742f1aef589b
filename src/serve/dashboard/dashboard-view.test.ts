import { describe, expect, it } from 'vitest';

/** The page's pure helpers (assets/dashboard-view.js, a browser module without types), as the page uses them. */
interface View {
  versionLabel(model: string | null, version: number | null): string;
  percent(v: number | null): string;
  signed(v: number | null): string;
  lift(v: number | null): string;
  alignSeries(series: { points: Record<string, number | string | null>[] }[], metric: string): (number | null)[][];
  hasPoints(series: { points: Record<string, number | string | null>[] }[]): boolean;
  stepCounts(steps: { type: string; events: number }[]): { type: string; events: number }[];
  stepRatio(counts: { type: string; events: number }[], type: string): number | null;
}
const view = (await import(new URL('./assets/dashboard-view.js', import.meta.url).href)) as View;

const point = (t: string, selectRate: number | null) => ({ t, impressions: 10, selects: 1, cancels: 0, selectRate });

describe('dashboard-view.js', () => {
  it('names versions `model vN`, and events without a list `unattributed`', () => {
    expect(view.versionLabel('als', 3)).toBe('als v3');
    expect(view.versionLabel(null, null)).toBe('unattributed');
  });

  it('shows undefined rates as —, never as 0', () => {
    expect(view.percent(null)).toBe('—');
    expect(view.percent(0.125)).toBe('12.5 %');
    expect(view.signed(-0.25)).toBe('−0.250');
    expect(view.lift(42)).toBe('+42.0 %');
    expect(view.lift(null)).toBe('—');
  });

  it('aligns series on the union of their buckets, with gaps (null) where a series has no point', () => {
    const a = { points: [point('2026-12-01T00:00:00.000Z', 0.1), point('2026-12-01T02:00:00.000Z', null)] };
    const b = { points: [point('2026-12-01T01:00:00.000Z', 0.3)] };
    const t0 = Date.parse('2026-12-01T00:00:00.000Z') / 1000;
    expect(view.alignSeries([a, b], 'selectRate')).toEqual([
      [t0, t0 + 3600, t0 + 7200],
      [0.1, null, null],
      [null, 0.3, null],
    ]);
    expect(view.hasPoints([a, b])).toBe(true);
    expect(view.hasPoints([])).toBe(false);
  });

  it('orders the funnel impressions → selects → cancels → reserves → completes, missing steps as 0', () => {
    const counts = view.stepCounts([
      { type: 'select', events: 5 },
      { type: 'impression', events: 50 },
      { type: 'cancel', events: 1 },
    ]);
    expect(counts.map((c) => c.type)).toEqual(['impression', 'select', 'cancel', 'reserve', 'complete']);
    expect(counts.map((c) => c.events)).toEqual([50, 5, 1, 0, 0]);
    expect(view.stepRatio(counts, 'select')).toBe(0.1);
    expect(view.stepRatio(counts, 'cancel')).toBe(0.2);
    expect(view.stepRatio(view.stepCounts([]), 'select')).toBeNull();
  });
});
