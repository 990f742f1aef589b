import { describe, expect, it } from 'vitest';
import { MariaDbWarehouseDialect } from './mariadb.ts';

const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock; try restarting transaction'), { errno: 1213 });

describe('retryingDeadlocks', () => {
  const dialect = new MariaDbWarehouseDialect();

  it('runs the work again when the server chose it as a deadlock victim', async () => {
    let calls = 0;
    const result = await dialect.retryingDeadlocks(async () => {
      calls++;
      if (calls < 3) throw deadlock();
      return 'done';
    });
    expect({ result, calls }).toEqual({ result: 'done', calls: 3 });
  });

  it('gives up after the attempts, and never repeats work that failed otherwise', async () => {
    let calls = 0;
    await expect(
      dialect.retryingDeadlocks(async () => {
        calls++;
        throw deadlock();
      }, 2),
    ).rejects.toThrow(/Deadlock/);
    expect(calls).toBe(2);
    calls = 0;
    const duplicate = Object.assign(new Error('Duplicate entry'), { errno: 1062 });
    await expect(
      dialect.retryingDeadlocks(async () => {
        calls++;
        throw duplicate;
      }),
    ).rejects.toBe(duplicate);
    expect(calls).toBe(1);
  });
});
