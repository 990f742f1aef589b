import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/index.ts';
import { halveFamilies, rankValue, rungsFor, type RungResult } from './family-halving.ts';

/** A fake clock and families whose best value is fixed; each slot is used to its end plus `overrun` ms. */
function fakeRace(o: { values: Record<string, number>; overrun?: Record<string, number>; firstTrialMs?: number; refuse?: string[] }) {
  let clock = 1000;
  const calls: { family: string; rung: number; slot: number }[] = [];
  const started = new Set<string>();
  const runRung = async (family: string, r: { rung: number; untilMs: number }): Promise<RungResult> => {
    calls.push({ family, rung: r.rung, slot: r.untilMs - clock });
    const first = !started.has(family);
    started.add(family);
    if (o.refuse?.includes(family)) return { best: undefined, skipped: `${family} refuses the data`, firstTrialMs: 1 };
    clock = Math.max(clock + (first ? (o.firstTrialMs ?? 0) : 0), r.untilMs) + (o.overrun?.[family] ?? 0);
    return { best: o.values[family], ...(first ? { firstTrialMs: o.firstTrialMs ?? 1 } : {}) };
  };
  return { now: () => clock, runRung, calls };
}

describe('rungsFor', () => {
  it('counts n → ⌈n/η⌉ → … → 1, the single survivor running the last rung', () => {
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => rungsFor(n, 2))).toEqual([1, 2, 3, 3, 4, 4, 4]);
    expect([1, 3, 4, 9, 10].map((n) => rungsFor(n, 3))).toEqual([1, 2, 3, 3, 4]);
  });
});

describe('halveFamilies', () => {
  it('splits each rung evenly, keeps the better half, and gives the last rung to the best family', async () => {
    const race = fakeRace({ values: { als: 0.3, knn: 0.2, bpr: 0.1 } });
    const { standings, winner } = await halveFamilies({ families: ['als', 'knn', 'bpr'], budgetMs: 900, now: race.now, runRung: race.runRung });
    expect(winner).toBe('als');
    // 3 rungs of 300 ms: 3 × 100, then 2 × 150, then 1 × 300.
    expect(race.calls).toEqual([
      { family: 'als', rung: 0, slot: 100 },
      { family: 'knn', rung: 0, slot: 100 },
      { family: 'bpr', rung: 0, slot: 100 },
      { family: 'als', rung: 1, slot: 150 },
      { family: 'knn', rung: 1, slot: 150 },
      { family: 'als', rung: 2, slot: 300 },
    ]);
    expect(standings).toEqual([
      { family: 'als', best: 0.3, spentMs: 550, rungs: 3 },
      { family: 'knn', best: 0.2, spentMs: 250, rungs: 2, droppedAfter: 1 },
      { family: 'bpr', best: 0.1, spentMs: 100, rungs: 1, droppedAfter: 0 },
    ]);
  });

  it('ranks by the best value, whichever family comes first', async () => {
    const race = fakeRace({ values: { a: 0.1, b: 0.5, c: 0.2, d: 0.4 } });
    const { standings, winner } = await halveFamilies({ families: ['a', 'b', 'c', 'd'], budgetMs: 1200, now: race.now, runRung: race.runRung });
    expect(winner).toBe('b');
    expect(standings.map((s) => s.droppedAfter)).toEqual([0, undefined, 0, 1]);
  });

  it('charges a slot that overran to the families after it, not to the total', async () => {
    const race = fakeRace({ values: { a: 0.1, b: 0.2 }, overrun: { a: 100 } });
    const { standings } = await halveFamilies({ families: ['a', 'b'], budgetMs: 800, now: race.now, runRung: race.runRung });
    // Rung 0 holds 400 ms: a takes 200 + 100, so b's slot is the 100 left; the last rung gets the other 400.
    expect(race.calls.map((c) => c.slot)).toEqual([200, 100, 400]);
    expect(standings.map((s) => s.spentMs)).toEqual([300, 500]);
  });

  it('skips a family whose fit refuses the data, with its reason, and halves among the others', async () => {
    const race = fakeRace({ values: { a: 0.1, b: 0.2, c: 0.3 }, refuse: ['c'] });
    const { standings, winner } = await halveFamilies({ families: ['a', 'b', 'c'], budgetMs: 900, now: race.now, runRung: race.runRung });
    expect(winner).toBe('b');
    expect(standings[2]).toEqual({ family: 'c', best: undefined, spentMs: 0, rungs: 1, skipped: 'c refuses the data' });
    expect(race.calls.filter((c) => c.rung === 1).map((c) => c.family)).toEqual(['b']);
  });

  it('refuses, from the first trial measured, a budget too small for one trial of each family', async () => {
    const race = fakeRace({ values: { a: 0.1, b: 0.2, c: 0.3 }, firstTrialMs: 500 });
    const run = halveFamilies({ families: ['a', 'b', 'c'], budgetMs: 900, now: race.now, runRung: race.runRung });
    await expect(run).rejects.toThrow(ValidationError);
    await expect(run).rejects.toThrow(
      /budget of 0\.9 s is too small for one trial of each of the 3 model families: .* 0\.5 s, so one trial each needs about 1\.5 s; give a budget of at least 5s/,
    );
    expect(race.calls).toHaveLength(1);
  });

  it('runs a single family alone for the whole budget, and stops when the signal aborts', async () => {
    const race = fakeRace({ values: { a: 0.1 } });
    expect((await halveFamilies({ families: ['a'], budgetMs: 500, now: race.now, runRung: race.runRung })).standings[0]!.spentMs).toBe(500);
    const abort = new AbortController();
    abort.abort();
    const none = await halveFamilies({ families: ['a', 'b'], budgetMs: 500, now: race.now, runRung: race.runRung, signal: abort.signal });
    expect(none.winner).toBeUndefined();
  });
});

describe('rankValue', () => {
  it('adds what the second half of the trials gained to the best, so a climbing search outranks a plateau', () => {
    expect(rankValue({ best: 0.1, curve: [0.05, 0.08, 0.1, 0.09] })).toBeCloseTo(0.12);
    expect(rankValue({ best: 0.105, curve: [0.105, 0.1, 0.104, 0.1] })).toBe(0.105);
    expect(rankValue({ best: 0.1, curve: [0.1] })).toBe(0.1);
    expect(rankValue({ best: undefined })).toBe(-Infinity);
  });

  it('keeps a family still climbing over one that plateaued higher, and still declares the best value the winner', async () => {
    let clock = 0;
    const curves: Record<string, number[]> = { fast: [0.105, 0.105], slow: [0.08, 0.1] };
    const { standings, winner } = await halveFamilies({
      families: ['fast', 'slow'],
      budgetMs: 400,
      now: () => clock,
      runRung: async (family, r) => {
        clock = r.untilMs;
        return { best: Math.max(...curves[family]!), curve: curves[family]! };
      },
    });
    expect(standings.map((s) => s.droppedAfter)).toEqual([0, undefined]);
    // The slow family's best (0.1) stays below the fast one's (0.105): the winner is the better value.
    expect(winner).toBe('fast');
  });
});

describe('halveFamilies with minTrials', () => {
  it('keeps a family with too few complete trials to judge, and ends when the budget is spent', async () => {
    let clock = 0;
    const trials: Record<string, number> = { cheap: 0, slow: 0 };
    const { standings } = await halveFamilies({
      families: ['cheap', 'slow'],
      budgetMs: 600,
      minTrials: 10,
      now: () => clock,
      runRung: async (family, r) => {
        // cheap completes 20 trials a slot; slow one trial a slot, so it never has 10.
        trials[family]! += family === 'cheap' ? 20 : 1;
        clock = Math.max(clock, r.untilMs);
        const value = family === 'cheap' ? 0.2 : 0.1;
        return { best: value, curve: Array.from({ length: trials[family]! }, () => value) };
      },
    });
    expect(standings.map((s) => s.droppedAfter)).toEqual([undefined, undefined]);
    expect(standings.reduce((a, s) => a + s.spentMs, 0)).toBe(600);
  });
});
