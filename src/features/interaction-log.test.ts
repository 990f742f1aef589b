import { describe, expect, it } from 'vitest';
import { keyLookup } from './interaction-log.ts';

describe('keyLookup (warehouse key → dense id on the scan path)', () => {
  const probes = [-1, 0, 1, 2, 3, 4, 5, 7, 2.5, 1e9, 1e9 + 1, Number.NaN];

  it.each([
    [
      'small keys, as surrogate keys are (an array)',
      new Map([
        [1, 0],
        [2, 1],
        [4, 2],
      ]),
    ],
    [
      'a key far above the others (the map itself)',
      new Map([
        [1, 0],
        [1e9, 1],
      ]),
    ],
    [
      'a negative key (the map itself)',
      new Map([
        [-1, 0],
        [3, 1],
      ]),
    ],
    ['no keys', new Map<number, number>()],
  ])('answers as the map does for %s', (_, byKey) => {
    const lookup = keyLookup(byKey);
    for (const key of probes) expect(lookup(key), `key ${key}`).toBe(byKey.get(key));
  });
});
