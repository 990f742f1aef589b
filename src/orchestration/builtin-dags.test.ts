import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/index.ts';
import { MODEL_KINDS } from '../models/index.ts';
import { buildDags } from './builtin-dags.ts';
import type { JobParamsCheck } from './dag.ts';

/** The catalog's jobs and params as the contract names them (the real check is pipeline's jobParamsError). */
const catalog: JobParamsCheck = (job, params) => {
  const p = params as Record<string, unknown>;
  const allowed: Record<string, readonly string[]> = {
    INGEST: [],
    BUILD_FEATURES: ['incremental'],
    TRAIN: ['kind', 'params', 'registerAs'],
    PROMOTE_IF_BETTER: ['name', 'alias'],
    TUNE: ['kind', 'trials', 'budgetSeconds'],
    NOOP: [],
  };
  const keys = allowed[job];
  if (keys === undefined) return `unknown job ${job}`;
  const extra = Object.keys(p).filter((k) => !keys.includes(k));
  if (extra.length > 0) return `unknown params ${extra.join(', ')}`;
  const kinds: readonly unknown[] = job === 'TUNE' ? [...MODEL_KINDS, 'auto'] : MODEL_KINDS;
  if ('kind' in p && !kinds.includes(p['kind'])) return `unknown model kind ${String(p['kind'])}`;
  return undefined;
};
const build = (orchestration: Record<string, unknown> = {}, alias?: string) =>
  buildDags({ config: loadConfig({ file: false, overrides: { orchestration } }).orchestration, jobParamsError: catalog, ...(alias ? { alias } : {}) });

describe('built-in DAGs', () => {
  it('daily trains every model kind in parallel between features and the promotion', () => {
    const [daily, onLanding, tuneWeekly] = build({}, 'champion');
    expect(daily).toMatchObject({ id: 'daily', schedule: '0 3 * * *', timezone: 'UTC', catchup: false, maxActiveRuns: 1 });
    expect(daily!.tasks.map((t) => [t.id, t.job, t.deps])).toEqual([
      ['ingest', 'INGEST', []],
      ['features', 'BUILD_FEATURES', ['ingest']],
      ['train-als', 'TRAIN', ['features']],
      ['train-bpr', 'TRAIN', ['features']],
      ['train-item-knn', 'TRAIN', ['features']],
      ['train-popular', 'TRAIN', ['features']],
      ['train-rp3beta', 'TRAIN', ['features']],
      ['promote', 'PROMOTE_IF_BETTER', ['train-als', 'train-bpr', 'train-item-knn', 'train-popular', 'train-rp3beta']],
    ]);
    // The default kinds train on a warehouse of any size: EASE refuses catalogues above its maxItems and GF-CF's rank needs
    // enough users and items, so they are added by configuration (or chosen by tune --algo auto).
    expect(daily!.tasks.filter((t) => t.job === 'TRAIN').every((t) => (MODEL_KINDS as readonly unknown[]).includes(t.params['kind']))).toBe(true);
    expect(daily!.tasks.find((t) => t.id === 'promote')?.params).toEqual({ alias: 'champion' });
    expect(onLanding).toMatchObject({ id: 'on-landing', sensors: [{ kind: 'landing' }] });
    expect(onLanding!.tasks.map((t) => [t.id, t.job, t.params])).toEqual([
      ['ingest', 'INGEST', {}],
      ['features', 'BUILD_FEATURES', { incremental: true }],
    ]);
    expect(tuneWeekly!.tasks.map((t) => [t.id, t.job, t.params])).toEqual([
      ['tune', 'TUNE', { kind: 'auto', trials: 20, budgetSeconds: 1800 }],
      ['promote', 'PROMOTE_IF_BETTER', { alias: 'champion' }],
    ]);
  });

  it('follows the settings: schedules, zones, kinds, model name, disabled built-ins', () => {
    const dags = build({
      builtins: {
        daily: { schedule: '30 2 * * *', timezone: 'Europe/Berlin', kinds: ['als', 'popular'], modelName: 'main', deadline: '3h' },
        tuneWeekly: { enabled: false },
      },
    });
    expect(dags.map((d) => d.id)).toEqual(['daily', 'on-landing']);
    expect(dags[0]).toMatchObject({ schedule: '30 2 * * *', timezone: 'Europe/Berlin', deadline: 10_800 });
    expect(dags[0]!.tasks.filter((t) => t.job !== 'INGEST' && t.job !== 'BUILD_FEATURES').map((t) => t.params)).toEqual([
      { kind: 'als', registerAs: 'main' },
      { kind: 'popular', registerAs: 'main' },
      { name: 'main' },
    ]);
  });

  it('lets a user DAG replace a built-in and adds the others', () => {
    const dags = build({
      dags: [
        { id: 'daily', schedule: '0 5 * * *', tasks: [{ id: 'only', job: 'NOOP' }] },
        { id: 'mine', tasks: [{ id: 'x', job: 'NOOP' }] },
      ],
    });
    expect(dags.map((d) => d.id)).toEqual(['on-landing', 'tune-weekly', 'daily', 'mine']);
    expect(dags.find((d) => d.id === 'daily')?.tasks.map((t) => t.id)).toEqual(['only']);
  });

  it('names the setting or DAG whose tasks do not check out', () => {
    expect(() => build({ builtins: { daily: { kinds: ['svd'] } } })).toThrow(/orchestration\.builtins\.daily\.tasks\.2\.params: TRAIN: unknown model kind svd/);
    expect(() => build({ builtins: { tuneWeekly: { schedule: 'weekly' } } })).toThrow(/orchestration\.builtins\.tuneWeekly\.schedule/);
    expect(() => build({ dags: [{ id: 'mine', tasks: [{ id: 'x', job: 'FLY' }] }] })).toThrow(/orchestration\.dags\.0\.tasks\.0\.params: FLY: unknown job FLY/);
  });
});
