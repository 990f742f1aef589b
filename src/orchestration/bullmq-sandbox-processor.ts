/**
 * The BullMQ sandboxed processor (run by BullMQ's child `main.js` in a child process of the worker) that runs one
 * CPU-heavy job: the worker keeps the claim, heartbeats and the end of the try, and hands the job here so a
 * timeout or a cancel can kill the process for real. The catalog and the dependencies factory are imported by URL;
 * log lines go back to the worker as BullMQ log messages (one pino JSON line each).
 */
import { Writable } from 'node:stream';
import { pino } from 'pino';
import type { AttemptCatalog, JobCatalogRef } from './bullmq-run-attempt.ts';
import type { JsonObject, TaskAttempt } from './ports.ts';

/** What the worker sends for one job (over the child's IPC channel, never through Redis). */
export interface SandboxPayload {
  readonly attempt: TaskAttempt;
  readonly catalog: JobCatalogRef;
  /** A module export `() => Promise<deps>` building the job's dependencies in this process, once per process. */
  readonly deps?: JobCatalogRef;
}

/** The part of BullMQ's sandboxed job this processor uses. */
interface SandboxJob {
  readonly data: SandboxPayload;
  log(row: string): Promise<void>;
}

const loaded = new Map<string, Promise<unknown>>();

function load(ref: JobCatalogRef): Promise<unknown> {
  const key = `${ref.module}#${ref.exportName}`;
  let value = loaded.get(key);
  if (!value) {
    value = import(ref.module).then((m: Record<string, unknown>) => {
      if (!(ref.exportName in m)) throw new Error(`${ref.module} has no export ${ref.exportName}`);
      return m[ref.exportName];
    });
    loaded.set(key, value);
  }
  return value;
}

let deps: Promise<unknown> | undefined;

export default async function processSandboxedJob(job: SandboxJob, _token: string | undefined, signal: AbortSignal): Promise<JsonObject> {
  const { attempt } = job.data;
  const catalog = (await load(job.data.catalog)) as AttemptCatalog;
  const definition = catalog[attempt.job];
  if (!definition) throw new Error(`no job ${attempt.job} in ${job.data.catalog.module}`);
  const depsRef = job.data.deps;
  if (depsRef) deps ??= load(depsRef).then((factory) => (factory as () => Promise<unknown>)());
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      job.log(chunk.toString().trimEnd()).then(() => callback(), callback);
    },
  });
  return definition.run({
    deps: await deps,
    params: definition.params.parse(attempt.params),
    signal,
    log: pino({ base: undefined, level: 'debug' }, stream),
    logicalTime: new Date(attempt.logicalTime),
    runKey: attempt.runKey,
    upstream: attempt.upstream,
  });
}
