import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/index.ts';
import { AlsRecommender } from '../als/index.ts';
import { BprRecommender } from '../bpr/index.ts';
import { csrFromCoo } from './csr-ops.ts';
import { requireFactorsWithin } from './param-checks.ts';
import { fitSpaceToMatrix } from './search-space.ts';

describe('factor counts against the data', () => {
  it('refuses more factors than items or users, naming the smaller side', () => {
    expect(() => requireFactorsWithin('ALS factors', 41, { rows: 300, cols: 40 })).toThrow(
      new ValidationError("ALS factors 41 is more than the data's 40 items: ask for at most 40 factors"),
    );
    expect(() => requireFactorsWithin('BPR factors', 20, { rows: 10, cols: 40 })).toThrow(
      /BPR factors 20 is more than the data's 10 users: ask for at most 10/,
    );
    expect(() => requireFactorsWithin('ALS factors', 40, { rows: 300, cols: 40 })).not.toThrow();
  });

  it('ALS and BPR refuse an asked-for factor count above the catalogue before fitting, but keep a larger default', async () => {
    const m = csrFromCoo({ rows: 3, cols: 4, rowIdx: Int32Array.from([0, 1, 2]), colIdx: Int32Array.from([0, 1, 3]) });
    await expect(new AlsRecommender({ factors: 8 }).fit(m)).rejects.toThrow(/ALS factors 8 is more than the data's 3 users/);
    await expect(new BprRecommender({ factors: 5, iterations: 1 }).fit(m)).rejects.toThrow(/BPR factors 5 is more than the data's 3 users/);
    await expect(new AlsRecommender({ iterations: 1 }).fit(m)).resolves.toMatchObject({ epochs: 1 });
  });

  it('narrows the search ranges marked capByMatrix to min(users, items), leaving the others', () => {
    const space = {
      factors: { type: 'int', min: 16, max: 256, log: true, capByMatrix: true },
      iterations: { type: 'int', min: 5, max: 50, log: false },
    } as const;
    expect(fitSpaceToMatrix(space, { rows: 300, cols: 40 })).toEqual({ factors: { ...space.factors, max: 40 }, iterations: space.iterations });
    expect(fitSpaceToMatrix(space, { rows: 10, cols: 40 }).factors).toEqual({ ...space.factors, min: 10, max: 10 });
    expect(fitSpaceToMatrix(space, { rows: 1000, cols: 1000 })).toEqual(space);
  });
});
