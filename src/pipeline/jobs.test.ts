import { describe, expect, it } from 'vitest';
import { configSchema } from '../config/index.ts';
import { silentLogger } from '../shared/io.ts';
import { ValidationError } from '../shared/index.ts';
import { BUILTIN_JOB_CATALOG, JOBS, JobParamsError, jobParamsError, loadJobCatalog, parseJobParams, runJob } from './jobs.ts';
import type { JobDeps } from './job-definition.ts';
import { registeredCandidates } from './promote-if-better.ts';

const deps: JobDeps = {
  config: configSchema.parse({}),
  logger: silentLogger(),
  store: () => Promise.reject(new Error('no store in this test')),
  warehouse: () => Promise.reject(new Error('no warehouse in this test')),
};

describe('job catalog', () => {
  it('names every built-in job by its key, in SCREAMING_SNAKE, with a description', () => {
    expect(Object.keys(JOBS).sort()).toEqual(['BUILD_FEATURES', 'INGEST', 'NOOP', 'PROMOTE_IF_BETTER', 'RECOMMEND_ALL', 'SLEEP', 'TRAIN', 'TUNE']);
    for (const [key, job] of Object.entries(JOBS)) {
      expect(job.name).toBe(key);
      expect(key).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(job.description.length).toBeGreaterThan(10);
    }
  });

  it('accepts good params and fills in defaults', () => {
    expect(parseJobParams(JOBS['TRAIN']!, { kind: 'als' })).toEqual({ kind: 'als', params: {}, seed: 42 });
    expect(parseJobParams(JOBS['TRAIN']!, { kind: 'als', params: { factors: 8 }, registerAs: 'main' })).toMatchObject({ registerAs: 'main' });
    expect(parseJobParams(JOBS['PROMOTE_IF_BETTER']!, {})).toEqual({ alias: 'champion' });
    expect(parseJobParams(JOBS['BUILD_FEATURES']!, {})).toEqual({ incremental: true });
    expect(parseJobParams(JOBS['INGEST']!, {})).toEqual({ retryQuarantine: false });
    expect(parseJobParams(JOBS['TUNE']!, { kind: 'bpr', budgetSeconds: 60 })).toMatchObject({ kind: 'bpr', trials: 20, budgetSeconds: 60 });
    expect(parseJobParams(JOBS['TUNE']!, { kind: 'auto', budgetSeconds: 600, algos: ['als', 'item-knn'] })).toMatchObject({
      kind: 'auto',
      algos: ['als', 'item-knn'],
    });
    expect(parseJobParams(JOBS['NOOP']!, undefined)).toEqual({});
    expect(jobParamsError('SLEEP', { seconds: 0.5 })).toBeUndefined();
  });

  it.each([
    ['TRAIN', {}, /bad params for job TRAIN: kind: /],
    ['TRAIN', { kind: 'svd' }, /kind: .*als/],
    ['TRAIN', { kind: 'als', params: { neighbours: 5 } }, /params\.neighbours: als has no parameter neighbours; it takes .*factors/],
    ['TRAIN', { kind: 'als', registerAs: 'no spaces' }, /registerAs: letters, digits/],
    ['TRAIN', { kind: 'als', epochs: 3 }, /Unrecognized key.*epochs/],
    ['PROMOTE_IF_BETTER', { alias: 'Champion!' }, /alias: lower-case letters/],
    ['TUNE', { kind: 'als', trials: 0 }, /trials: /],
    ['TUNE', { kind: 'auto', algos: [] }, /algos: /],
    ['SLEEP', {}, /seconds: /],
    ['SLEEP', { seconds: -1 }, /seconds: /],
    ['NOOP', { x: 1 }, /Unrecognized key/],
    ['INGEST', { retryQuarantine: 'yes' }, /retryQuarantine: /],
    ['BUILD_FEATURES', { incremental: 1 }, /incremental: /],
    ['RECOMMEND_ALL', { k: 0 }, /k: /],
  ])('refuses bad params of %s %j with a clear error', (job, params, message) => {
    expect(jobParamsError(job, params)).toMatch(message);
    expect(() => parseJobParams(JOBS[job]!, params)).toThrow(JobParamsError);
  });

  it('names the known jobs when a job is unknown', () => {
    expect(jobParamsError('TRAIN_MODEL', {})).toMatch(/unknown job 'TRAIN_MODEL' \(the catalog has INGEST, BUILD_FEATURES, TRAIN/);
  });

  it('a params error is a ValidationError (not retried)', async () => {
    await expect(runJob({ job: 'SLEEP', params: { seconds: 'x' }, deps })).rejects.toBeInstanceOf(ValidationError);
  });

  it('runs NOOP and SLEEP; SLEEP stops when aborted', async () => {
    expect(await runJob({ job: 'NOOP', params: {}, deps })).toEqual({});
    expect(await runJob({ job: 'SLEEP', params: { seconds: 0 }, deps })).toEqual({ slept: 0 });
    const abort = new AbortController();
    const sleeping = runJob({ job: 'SLEEP', params: { seconds: 3600 }, deps, signal: abort.signal });
    abort.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow(/aborted/);
  });

  it('loads the built-in catalog by its reference, and another catalog by module URL', async () => {
    expect(await loadJobCatalog()).toBe(JOBS);
    expect(await loadJobCatalog(BUILTIN_JOB_CATALOG)).toBe(JOBS);
    const other = await loadJobCatalog({ module: new URL('./basic-jobs.ts', import.meta.url).href, exportName: 'NOOP' }).catch((e: unknown) => e);
    expect(other).toBeInstanceOf(ValidationError);
  });

  it('picks the upstream version with the best hold-out NDCG, of one name when asked', () => {
    const upstream = {
      als: { name: 'als', version: 3, run: 'r1', kind: 'als', ndcg: 0.2 },
      bpr: { name: 'bpr', version: 1, run: 'r2', kind: 'bpr', ndcg: 0.3 },
      pop: { name: 'popular', version: 2, run: 'r3', kind: 'popular', ndcg: null },
      ingest: { files: 2, rows: 10 },
    };
    expect(registeredCandidates(upstream).map((c) => c.task)).toEqual(['bpr', 'als', 'pop']);
    expect(registeredCandidates(upstream, 'als').map((c) => c.version)).toEqual([3]);
    expect(registeredCandidates({ ingest: { files: 1 } })).toEqual([]);
  });
});
