import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { findRedisServer } from './redis-server.ts';

const redisUrl = inject('redisUrl');

describe('findRedisServer', () => {
  it('agrees with the global set-up about whether redis-server is installed', () => {
    expect(findRedisServer() !== undefined).toBe(redisUrl !== null);
  });
});

describe.skipIf(redisUrl === null)('Redis test server', () => {
  let redis: Redis;
  beforeAll(() => {
    redis = new Redis(redisUrl ?? '', { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    await redis?.quit();
  });

  it('is a Redis 7 server on loopback that persists nothing', async () => {
    const info = await redis.info('server');
    expect(info).toMatch(/redis_version:7\./);
    expect(await redis.config('GET', 'save')).toEqual(['save', '']);
    expect(await redis.config('GET', 'appendonly')).toEqual(['appendonly', 'no']);
    expect(await redis.config('GET', 'bind')).toEqual(['bind', '127.0.0.1']);
  });

  it('stores and reads back keys', async () => {
    await redis.set('redis-server-test:key', 'value');
    expect(await redis.get('redis-server-test:key')).toBe('value');
    await redis.del('redis-server-test:key');
  });
});
