import { describe, expect, it } from 'vitest';
import { packShownItems, shownServiceIds, unpackShownItems } from './shown-items.ts';

describe('shownServiceIds', () => {
  it('reads the service ids of packed items in rank order, escapes included, as unpackShownItems does', () => {
    const pairs: [string, number][] = [
      ['S1', 0.9],
      ['a"b\\c', 0.5],
      ['[",]', -1],
      ['서비스 🙂', 0],
    ];
    const items = packShownItems(pairs, (p) => p);
    expect(shownServiceIds(items)).toEqual(pairs.map((p) => p[0]));
    expect(shownServiceIds(items)).toEqual(unpackShownItems(items).map((i) => i.serviceId));
    expect(shownServiceIds(JSON.stringify(pairs))).toEqual(pairs.map((p) => p[0]));
  });

  it('reads none from an empty list, an empty text or null', () => {
    expect(shownServiceIds('[]')).toEqual([]);
    expect(shownServiceIds('')).toEqual([]);
    expect(shownServiceIds(null)).toEqual([]);
  });
});
