import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../shared/index.ts';
import { loadConfig, redactConfig } from './load-config.ts';
import { findCycle } from './orchestration-schema.ts';

const EXAMPLE_FILE = fileURLToPath(new URL('../../pickwise.config.example.yaml', import.meta.url));

const problem = (orchestration: Record<string, unknown>): string => {
  try {
    loadConfig({ file: false, overrides: { orchestration } });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a config error');
};

const dag = (tasks: unknown[], extra: Record<string, unknown> = {}) => ({ dags: [{ id: 'mine', tasks, ...extra }] });

describe('orchestration config', () => {
  it('defaults to the local executor, three pools and the three built-in DAGs', () => {
    const o = loadConfig({ file: false }).orchestration;
    expect(o.executor).toEqual({ url: 'local', prefix: 'pickwise' });
    expect(o.pools).toEqual({ default: 2, cpu: 1, io: 4 });
    expect([o.tickSeconds, o.leaseSeconds, o.dags]).toEqual([5, 30, []]);
    expect(o.builtins.daily).toEqual({ enabled: true, schedule: '0 3 * * *', timezone: 'UTC', kinds: ['als', 'bpr', 'item-knn', 'popular', 'rp3beta'] });
    expect(o.builtins.onLanding).toEqual({ enabled: true });
    expect(o.builtins.tuneWeekly).toEqual({ enabled: true, schedule: '0 4 * * 0', timezone: 'UTC', kind: 'auto', trials: 20, budget: 1800 });
  });

  it('takes the environment, merges pools over the defaults and redacts a Redis password', () => {
    const env = {
      PICKWISE_ORCHESTRATION__EXECUTOR__URL: 'redis://:s3cret@10.0.0.5:6379/2',
      PICKWISE_ORCHESTRATION__TICK_SECONDS: '2',
      PICKWISE_ORCHESTRATION__BUILTINS__TUNE_WEEKLY__ENABLED: 'false',
    };
    const config = loadConfig({ file: false, env, overrides: { orchestration: { pools: { gpu: 1, cpu: 3 } } } });
    expect(config.orchestration.pools).toEqual({ default: 2, cpu: 3, io: 4, gpu: 1 });
    expect(config.orchestration.tickSeconds).toBe(2);
    expect(config.orchestration.builtins.tuneWeekly.enabled).toBe(false);
    expect(JSON.stringify(redactConfig(config))).not.toContain('s3cret');
  });

  it('fills a user DAG and its tasks with the documented defaults', () => {
    const config = loadConfig({
      file: false,
      overrides: {
        orchestration: dag([
          { id: 'a', job: 'NOOP' },
          { id: 'b', job: 'SLEEP', params: { seconds: 1 }, deps: ['a'], timeout: '5m', retry: { retries: 0 } },
        ]),
      },
    });
    const [mine] = config.orchestration.dags;
    expect(mine).toEqual({
      id: 'mine',
      timezone: 'UTC',
      sensors: [],
      catchup: false,
      maxActiveRuns: 1,
      tasks: [
        { id: 'a', job: 'NOOP', params: {}, deps: [], pool: 'default', retry: { retries: 2, delay: 30, factor: 2, maxDelay: 600, jitter: 0.1 }, timeout: 3600 },
        {
          id: 'b',
          job: 'SLEEP',
          params: { seconds: 1 },
          deps: ['a'],
          pool: 'default',
          retry: { retries: 0, delay: 30, factor: 2, maxDelay: 600, jitter: 0.1 },
          timeout: 300,
        },
      ],
    });
  });

  it('refuses broken DAGs, naming the path', () => {
    expect(problem(dag([{ id: 'A', job: 'NOOP' }]))).toMatch(/orchestration\.dags\.0\.tasks\.0\.id: task id must match/);
    expect(
      problem(
        dag([
          { id: 'a', job: 'NOOP' },
          { id: 'a', job: 'NOOP' },
        ]),
      ),
    ).toMatch(/orchestration\.dags\.0\.tasks\.1\.id: duplicate task id "a"/);
    expect(problem(dag([{ id: 'a', job: 'NOOP', deps: ['zz'] }]))).toMatch(/orchestration\.dags\.0\.tasks\.0\.deps\.0: unknown task "zz"/);
    const cyclic = [
      { id: 'a', job: 'NOOP' },
      { id: 'b', job: 'NOOP', deps: ['a', 'd'] },
      { id: 'c', job: 'NOOP', deps: ['b'] },
      { id: 'd', job: 'NOOP', deps: ['c'] },
    ];
    expect(problem(dag(cyclic))).toMatch(/orchestration\.dags\.0\.tasks\.1\.deps: dependency cycle: b → d → c → b/);
    expect(problem(dag([{ id: 'a', job: 'NOOP', pool: 'gpu' }]))).toMatch(/orchestration\.dags\.0\.tasks\.0\.pool: unknown pool "gpu"/);
    expect(problem(dag([{ id: 'a', job: 'train' }]))).toMatch(/orchestration\.dags\.0\.tasks\.0\.job/);
    expect(problem(dag([]))).toMatch(/orchestration\.dags\.0\.tasks/);
    expect(problem(dag([{ id: 'a', job: 'NOOP', retry: { retries: 2, delays: 3 } }]))).toMatch(/delays/);
    expect(problem({ dags: [...dag([{ id: 'a', job: 'NOOP' }]).dags, ...dag([{ id: 'a', job: 'NOOP' }]).dags] })).toMatch(
      /orchestration\.dags\.1\.id: duplicate DAG id "mine"/,
    );
    expect(problem({ executor: { url: 'amqp://x' } })).toMatch(/orchestration\.executor\.url/);
    expect(problem({ leaseSeconds: 1 })).toMatch(/orchestration\.leaseSeconds/);
    expect(problem({ pools: { io: 0 } })).toMatch(/orchestration\.pools\.io/);
  });

  it('accepts diamonds and finds no cycle in them', () => {
    const diamond = [
      { id: 'a', deps: [] },
      { id: 'b', deps: ['a'] },
      { id: 'c', deps: ['a'] },
      { id: 'd', deps: ['b', 'c'] },
    ];
    expect(findCycle(diamond)).toBeUndefined();
    expect(findCycle([{ id: 'a', deps: ['a'] }])).toEqual(['a', 'a']);
  });

  it('keeps the commented example DAG of pickwise.config.example.yaml valid', () => {
    const text = readFileSync(EXAMPLE_FILE, 'utf8');
    const start = text.indexOf('  # dags:\n');
    expect(start).toBeGreaterThan(0);
    const lines = text.slice(start).split('\n');
    const block = lines
      .slice(
        0,
        lines.findIndex((l, i) => i > 0 && !l.startsWith('  #   ')),
      )
      .map((l) => l.replace(/^ {2}# /, ''));
    const orchestration = parseYaml(block.join('\n')) as Record<string, unknown>;
    const [example] = loadConfig({ file: false, overrides: { orchestration } }).orchestration.dags;
    expect(example).toMatchObject({ id: 'nightly-knn', timezone: 'Europe/Berlin', deadline: 7200 });
    expect(example?.tasks.map((t) => [t.id, t.pool, t.timeout])).toEqual([
      ['features', 'io', 3600],
      ['train', 'cpu', 1800],
      ['promote', 'default', 3600],
    ]);
  });
});
