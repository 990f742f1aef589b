import { describe, expect, it } from 'vitest';
import { ConfigError } from '../shared/index.ts';
import { checkDag, downstreamOf, type JobParamsCheck } from './dag.ts';

const jobs: JobParamsCheck = (job, params) => {
  if (job === 'NOOP') return Object.keys(params as object).length === 0 ? undefined : 'takes no params';
  if (job === 'SLEEP') return typeof (params as { seconds?: unknown }).seconds === 'number' ? undefined : 'seconds: expected a number';
  return `unknown job ${job}`;
};
const options = { pools: ['default', 'cpu', 'io'], jobParamsError: jobs, path: 'orchestration.dags.0' };
const diamond = {
  id: 'diamond',
  schedule: '30 2 * * *',
  timezone: 'Europe/Berlin',
  tasks: [
    { id: 'join', job: 'NOOP', deps: ['left', 'right'] },
    { id: 'right', job: 'SLEEP', params: { seconds: 1 }, deps: ['start'], pool: 'cpu' },
    { id: 'left', job: 'NOOP', deps: ['start'] },
    { id: 'start', job: 'NOOP' },
  ],
};

const problem = (raw: unknown): string => {
  try {
    checkDag(raw, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
};

describe('checkDag', () => {
  it('accepts a diamond, fills defaults and orders tasks after their dependencies', () => {
    const dag = checkDag(diamond, options);
    expect(dag.tasks.map((t) => t.id)).toEqual(['start', 'right', 'left', 'join']);
    expect(dag).toMatchObject({ id: 'diamond', timezone: 'Europe/Berlin', catchup: false, maxActiveRuns: 1, sensors: [] });
    expect(dag.tasks[0]).toEqual({
      id: 'start',
      job: 'NOOP',
      params: {},
      deps: [],
      pool: 'default',
      retry: { retries: 2, delay: 30, factor: 2, maxDelay: 600, jitter: 0.1 },
      timeout: 3600,
    });
    expect([...downstreamOf(dag, ['right'])]).toEqual(['join']);
    expect([...downstreamOf(dag, ['start'])].sort()).toEqual(['join', 'left', 'right']);
  });

  it('names the path of every problem', () => {
    expect(problem({ ...diamond, tasks: [...diamond.tasks, { id: 'start', job: 'NOOP' }] })).toMatch(
      /orchestration\.dags\.0\.tasks\.4\.id: duplicate task id "start"/,
    );
    expect(
      problem({
        ...diamond,
        tasks: [
          { id: 'a', job: 'NOOP', deps: ['b'] },
          { id: 'b', job: 'NOOP', deps: ['a'] },
        ],
      }),
    ).toMatch(/dependency cycle: a → b → a/);
    expect(problem({ ...diamond, tasks: [{ id: 'a', job: 'NOOP', deps: ['ghost'] }] })).toMatch(/tasks\.0\.deps\.0: unknown task "ghost"/);
    expect(problem({ ...diamond, id: 'Bad Id' })).toMatch(/orchestration\.dags\.0\.id: DAG id must match/);
    const message = problem({
      ...diamond,
      tasks: [
        { id: 'a', job: 'SLEEP', pool: 'gpu' },
        { id: 'b', job: 'FLY' },
      ],
    });
    expect(message).toMatch(/orchestration\.dags\.0\.tasks\.0\.pool: unknown pool "gpu" \(pools: default, cpu, io\)/);
    expect(message).toMatch(/orchestration\.dags\.0\.tasks\.0\.params: SLEEP: seconds: expected a number/);
    expect(message).toMatch(/orchestration\.dags\.0\.tasks\.1\.params: FLY: unknown job FLY/);
    expect(problem({ ...diamond, schedule: '0 25 * * *' })).toMatch(/orchestration\.dags\.0\.schedule: invalid cron expression/);
    expect(problem({ ...diamond, timezone: 'Europe/Atlantis' })).toMatch(/schedule: unknown time zone "Europe\/Atlantis"/);
    const { schedule: _, ...unscheduled } = diamond;
    expect(problem({ ...unscheduled, timezone: 'Nowhere' })).toMatch(/orchestration\.dags\.0\.timezone: unknown time zone/);
  });
});
