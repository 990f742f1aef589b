import { describe, expect, it } from 'vitest';
import { ValidationError } from '../shared/errors.ts';
import { AliasTable } from './alias-table.ts';
import { Rng } from '../shared/rng.ts';

describe('AliasTable', () => {
  it('samples in proportion to its weights', () => {
    const table = new AliasTable([5, 0, 1, 4]);
    const rng = new Rng(6);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 100_000; i++) counts[table.sample(rng)]! += 1;
    expect(counts[1]).toBe(0);
    expect(counts.map((c) => Math.round((c / 100_000) * 10))).toEqual([5, 0, 1, 4]);
    expect(() => new AliasTable([0, 0])).toThrow(ValidationError);
  });
});
