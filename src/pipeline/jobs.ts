import type { z } from 'zod';
import { uuidV7, ValidationError } from '../shared/index.ts';
import { NOOP, SLEEP } from './basic-jobs.ts';
import { BUILD_FEATURES, INGEST } from './data-jobs.ts';
import type { JobContext, JobDefinition, JobDeps, JobResult } from './job-definition.ts';
import { TRAIN, TUNE } from './model-jobs.ts';
import { PROMOTE_IF_BETTER } from './promote-if-better.ts';
import { RECOMMEND_ALL } from './recommend-all-job.ts';

/** A catalog of jobs by name. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry has its own parameter type
export type JobCatalog = Readonly<Record<string, JobDefinition<any>>>;

/**
 * The built-in job catalog: what DAG tasks name in `job`. Each wraps the pipeline function its CLI command calls,
 * so a task and the command do the same thing.
 */
export const JOBS: JobCatalog = Object.freeze({ INGEST, BUILD_FEATURES, TRAIN, PROMOTE_IF_BETTER, TUNE, RECOMMEND_ALL, NOOP, SLEEP });

/**
 * Where a catalog lives, so another process (a child for one try, a BullMQ sandboxed processor) imports the same one:
 * a module URL and the name of its export.
 */
export interface JobCatalogRef {
  readonly module: string;
  readonly exportName: string;
}

/** The built-in catalog's address. */
export const BUILTIN_JOB_CATALOG: JobCatalogRef = Object.freeze({ module: import.meta.url, exportName: 'JOBS' });

const loaded = new Map<string, Promise<JobCatalog>>();

/** The catalog `ref` names (default: the built-in one), imported once per process. */
export function loadJobCatalog(ref: JobCatalogRef = BUILTIN_JOB_CATALOG): Promise<JobCatalog> {
  if (ref.module === BUILTIN_JOB_CATALOG.module && ref.exportName === BUILTIN_JOB_CATALOG.exportName) return Promise.resolve(JOBS);
  const key = `${ref.module}#${ref.exportName}`;
  let catalog = loaded.get(key);
  if (!catalog) {
    catalog = (async () => {
      const mod = (await import(ref.module)) as Record<string, unknown>;
      const value = mod[ref.exportName];
      if (typeof value !== 'object' || value === null || Object.values(value).some((j) => typeof (j as JobDefinition).run !== 'function')) {
        throw new ValidationError(`${ref.module} does not export a job catalog named ${ref.exportName}`);
      }
      return value as JobCatalog;
    })();
    catalog.catch(() => loaded.delete(key));
    loaded.set(key, catalog);
  }
  return catalog;
}

/** A job's parameters are not what its schema accepts (never retried: the DAG must be fixed). */
export class JobParamsError extends ValidationError {}

/** The job named `job` of `catalog`, or a JobParamsError naming the jobs there are. */
export function jobDefinition(job: string, catalog: JobCatalog = JOBS): JobDefinition<unknown> {
  const def = Object.hasOwn(catalog, job) ? catalog[job] : undefined;
  if (!def) throw new JobParamsError(`unknown job '${job}' (the catalog has ${Object.keys(catalog).join(', ')})`);
  return def as JobDefinition<unknown>;
}

/** `params` checked against the job's schema, defaults filled in; a JobParamsError saying what is wrong otherwise. */
export function parseJobParams<P>(def: JobDefinition<P>, params: unknown): P {
  const parsed = def.params.safeParse(params ?? {});
  if (parsed.success) return parsed.data;
  throw new JobParamsError(`bad params for job ${def.name}: ${describeIssues(parsed.error.issues)}`);
}

/** Why `params` are not valid for `job` (an unknown job included), or undefined when they are: for DAG validation. */
export function jobParamsError(job: string, params: unknown, catalog: JobCatalog = JOBS): string | undefined {
  try {
    parseJobParams(jobDefinition(job, catalog), params);
    return undefined;
  } catch (error) {
    if (error instanceof JobParamsError) return error.message;
    throw error;
  }
}

function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(params)'}: ${i.message}`).join('; ');
}

export interface RunJobOptions {
  readonly job: string;
  readonly params: unknown;
  readonly deps: JobDeps;
  readonly catalog?: JobCatalog;
  readonly signal?: AbortSignal;
  /** Default: `deps.logger`. */
  readonly log?: JobContext<unknown>['log'];
  readonly logicalTime?: Date;
  /** Default: a new `manual@<uuid v7>` key. */
  readonly runKey?: string;
  /** Default: the job's name in lower case. */
  readonly taskId?: string;
  readonly upstream?: JobContext<unknown>['upstream'];
}

/** Runs one job by name with its parameters checked: what a task's try, a command or an admin route calls. */
export async function runJob(o: RunJobOptions): Promise<JobResult> {
  const def = jobDefinition(o.job, o.catalog);
  const params = parseJobParams(def, o.params);
  return def.run({
    deps: o.deps,
    params,
    signal: o.signal ?? new AbortController().signal,
    log: o.log ?? o.deps.logger,
    logicalTime: o.logicalTime ?? new Date(),
    runKey: o.runKey ?? `manual@${uuidV7()}`,
    taskId: o.taskId ?? o.job.toLowerCase().replaceAll('_', '-'),
    upstream: o.upstream ?? {},
  });
}
