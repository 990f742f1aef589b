import type { z } from 'zod';
import type { Config } from '../config/index.ts';
import type { Logger } from '../shared/io.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { Warehouse } from '../warehouse/index.ts';

/** A JSON object (a job's result; params as stored in a DAG spec). */
export type JobResult = { readonly [key: string]: JobJson };
export type JobJson = string | number | boolean | null | readonly JobJson[] | JobResult;

/**
 * What a job may use: structurally what the runtime gives a command (the pipeline cannot import the runtime), so a
 * CLI runtime, a worker process or a child process for one try can each hand theirs over.
 */
export interface JobDeps {
  readonly config: Readonly<Config>;
  readonly logger: Logger;
  /** The bucket named by `storage.url`. */
  store(): Promise<ObjectStore>;
  /** The warehouse named by `database.url`, migrated to the latest schema. */
  warehouse(): Promise<Warehouse>;
}

/** One run of one job: its checked parameters, where it logs, and what its DAG run knows. */
export interface JobContext<P> {
  readonly deps: JobDeps;
  readonly params: P;
  /** Aborted when the try times out, its run is cancelled or its worker stops: stop soon, and throw. */
  readonly signal: AbortSignal;
  /** Lines go to the task's log (orch_task_log, readable while the task runs) and to the process log. */
  readonly log: Logger;
  /** The DAG run's logical time (a cron fire time, a backfill date, or when a manual run was made). */
  readonly logicalTime: Date;
  /** The DAG run's unique key (`cron@…`, `file@…`, `manual@…`, `backfill@…`): a job's effects are keyed by it. */
  readonly runKey: string;
  /** The task's id in its DAG (with `runKey`, what makes a retried try find the effects of an earlier one). */
  readonly taskId: string;
  /** Results of the task's dependencies by task id. */
  readonly upstream: Readonly<Record<string, JobResult>>;
}

/** One entry of the job catalog: what DAG tasks, the CLI and admin routes run by name. */
export interface JobDefinition<P = unknown> {
  /** SCREAMING_SNAKE, the catalog's key. */
  readonly name: string;
  readonly description: string;
  /** Strict schema of the job's parameters, defaults inside; checked when a DAG is loaded and again before a run. */
  readonly params: z.ZodType<P>;
  /** Runs in a child process (local executor) or a sandboxed processor (BullMQ), so a timeout kills it for real. */
  readonly cpuHeavy: boolean;
  run(ctx: JobContext<P>): Promise<JobResult>;
}

/** Keeps `P` inferred from the schema when a job is declared. */
export function defineJob<S extends z.ZodType>(job: Omit<JobDefinition<z.output<S>>, 'params'> & { readonly params: S }): JobDefinition<z.output<S>> {
  return job as JobDefinition<z.output<S>>;
}
