import { describe, expect, it } from 'vitest';
import { hasInsertReturning } from './mariadb.ts';

describe('hasInsertReturning', () => {
  it('is true for MariaDB 10.5 and later, false for older MariaDB and for MySQL', () => {
    expect(hasInsertReturning('10.11.6-MariaDB-0+deb12u1')).toBe(true);
    expect(hasInsertReturning('10.5.0-MariaDB')).toBe(true);
    expect(hasInsertReturning('11.4.2-MariaDB-log')).toBe(true);
    expect(hasInsertReturning('10.4.34-MariaDB')).toBe(false);
    expect(hasInsertReturning('8.0.36')).toBe(false);
    expect(hasInsertReturning('8.4.0-commercial')).toBe(false);
  });
});
