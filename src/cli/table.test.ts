import { describe, expect, it } from 'vitest';
import { formatTable } from './table.ts';

describe('formatTable', () => {
  it('pads columns to their widest cell, two spaces apart, numbers right-aligned from rightFrom on', () => {
    expect(
      formatTable(
        [
          ['run', 'n'],
          ['a-long-id', '7'],
          ['b', '123'],
        ],
        { rightFrom: 1 },
      ),
    ).toEqual(['run          n', 'a-long-id    7', 'b          123']);
    expect(
      formatTable([
        ['dag', 'state', 'note'],
        ['daily', 'ok', ''],
      ]),
    ).toEqual(['dag    state  note', 'daily  ok']);
    expect(formatTable([])).toEqual([]);
  });
});
