import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/index.ts';
import { bullmqJobId, checkQueueName, poolQueueName, redisOptionsFromUrl, tickQueueName } from './bullmq-connection.ts';

describe('redisOptionsFromUrl', () => {
  it('reads host, port and the default database, with maxRetriesPerRequest null (BullMQ requires it)', () => {
    expect(redisOptionsFromUrl('redis://127.0.0.1:6380')).toEqual({ host: '127.0.0.1', port: 6380, db: 0, maxRetriesPerRequest: null });
    expect(redisOptionsFromUrl('redis://cache.internal')).toMatchObject({ host: 'cache.internal', port: 6379, db: 0 });
  });

  it('reads a password (with or without a user name) and a database number', () => {
    expect(redisOptionsFromUrl('redis://:s%40cret@h:6379/3')).toEqual({ host: 'h', port: 6379, db: 3, password: 's@cret', maxRetriesPerRequest: null });
    expect(redisOptionsFromUrl('redis://worker:pw@h/0')).toMatchObject({ username: 'worker', password: 'pw', db: 0 });
  });

  it('turns TLS on for rediss://', () => {
    expect(redisOptionsFromUrl('rediss://:pw@redis.example.com:6380')).toMatchObject({ host: 'redis.example.com', tls: { servername: 'redis.example.com' } });
    expect(redisOptionsFromUrl('redis://h').tls).toBeUndefined();
  });

  it('refuses other schemes and bad database paths with a ConfigError that hides the password', () => {
    const refuse = (url: string): ConfigError => {
      try {
        redisOptionsFromUrl(url);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        return error as ConfigError;
      }
      throw new Error(`accepted ${url}`);
    };
    expect(refuse('http://:topsecret@h').message).toMatch(/not a Redis URL/);
    expect(refuse('http://:topsecret@h').message).not.toContain('topsecret');
    expect(refuse('redis://:topsecret@h/queue').message).toMatch(/database number/);
    expect(refuse('redis://:topsecret@h/queue').message).not.toContain('topsecret');
    expect(refuse('local').message).toMatch(/not a URL/);
  });
});

describe('queue and job names', () => {
  it('names a queue per pool and the tick queue from the prefix', () => {
    expect(poolQueueName('pickwise', 'cpu')).toBe('pickwise-cpu');
    expect(tickQueueName('pickwise')).toBe('pickwise-tick');
  });

  it('makes one job id per try, without the colon BullMQ refuses', () => {
    const id = bullmqJobId({ runId: '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', taskId: 'train_als', try: 2 });
    expect(id).toBe('0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b.train_als.2');
    expect(id).not.toContain(':');
    expect(() => bullmqJobId({ runId: 'a:b', taskId: 't', try: 1 })).toThrow(ConfigError);
  });

  it('refuses prefixes and pools BullMQ cannot use as queue names, and a pool called tick', () => {
    expect(() => checkQueueName('prefix', 'pick:wise')).toThrow(/no ':'/);
    expect(() => checkQueueName('pool', '')).toThrow(ConfigError);
    expect(() => checkQueueName('pool', 'tick')).toThrow(/scheduler/);
    expect(() => checkQueueName('pool', 'cpu-heavy_2')).not.toThrow();
  });
});
