import { dagSpecSchema, type DagSpecConfig } from '../config/index.ts';
import { ConfigError } from '../shared/index.ts';
import { cronProblem, timeZoneProblem } from './cron-schedule.ts';
import type { DagSpec, JsonObject, TaskSpec } from './ports.ts';

/** Why `params` are not valid for `job` (unknown job included), or undefined: the job catalog's check. */
export type JobParamsCheck = (job: string, params: unknown) => string | undefined;

export interface DagCheckOptions {
  /** Pool names the executor knows (`orchestration.pools`). */
  readonly pools: readonly string[];
  readonly jobParamsError: JobParamsCheck;
  /** Where the DAG came from, for error messages (`orchestration.dags[2]`, `built-in daily`). */
  readonly path: string;
}

/**
 * A DAG checked and ready to schedule, from its raw config: shape and defaults ({@link dagSpecSchema}), unique task
 * ids, known dependencies, no cycle (named), known pools, a usable schedule and zone, and each task's params valid
 * for its job. Tasks come out in a topological order (declaration order among ready ones). Every problem found is
 * listed in one ConfigError naming its path.
 */
export function checkDag(raw: unknown, o: DagCheckOptions): DagSpec {
  const parsed = dagSpecSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ConfigError(
      problemsMessage(
        o.path,
        parsed.error.issues.map((i) => ({ path: i.path, message: i.message })),
      ),
    );
  }
  const dag = parsed.data;
  const problems: { path: readonly PropertyKey[]; message: string }[] = [];
  if (dag.schedule !== undefined) {
    const problem = cronProblem(dag.schedule, dag.timezone);
    if (problem !== undefined) problems.push({ path: ['schedule'], message: problem });
  } else {
    const problem = timeZoneProblem(dag.timezone);
    if (problem !== undefined) problems.push({ path: ['timezone'], message: problem });
  }
  dag.tasks.forEach((task, i) => {
    if (!o.pools.includes(task.pool)) {
      problems.push({ path: ['tasks', i, 'pool'], message: `unknown pool "${task.pool}" (pools: ${o.pools.join(', ')})` });
    }
    const paramsProblem = o.jobParamsError(task.job, task.params);
    if (paramsProblem !== undefined) problems.push({ path: ['tasks', i, 'params'], message: `${task.job}: ${paramsProblem}` });
  });
  if (problems.length > 0) throw new ConfigError(problemsMessage(o.path, problems));
  return toDagSpec(dag);
}

function problemsMessage(path: string, problems: readonly { path: readonly PropertyKey[]; message: string }[]): string {
  const lines = problems.map((p) => `  - ${[path, ...p.path.map(String)].join('.')}: ${p.message}`);
  return `invalid DAG ${path}:\n${lines.join('\n')}`;
}

function toDagSpec(dag: DagSpecConfig): DagSpec {
  const tasks: TaskSpec[] = dag.tasks.map((t) => ({
    id: t.id,
    job: t.job,
    params: t.params as JsonObject,
    deps: t.deps,
    pool: t.pool,
    retry: t.retry,
    timeout: t.timeout,
  }));
  return {
    id: dag.id,
    ...(dag.description !== undefined ? { description: dag.description } : {}),
    ...(dag.schedule !== undefined ? { schedule: dag.schedule } : {}),
    timezone: dag.timezone,
    sensors: dag.sensors,
    catchup: dag.catchup,
    maxActiveRuns: dag.maxActiveRuns,
    ...(dag.deadline !== undefined ? { deadline: dag.deadline } : {}),
    tasks: topologicalOrder(tasks),
  };
}

/** Tasks ordered so each comes after its dependencies (Kahn; declaration order among the ready). Assumes no cycle. */
export function topologicalOrder<T extends { readonly id: string; readonly deps: readonly string[] }>(tasks: readonly T[]): T[] {
  const done = new Set<string>();
  const out: T[] = [];
  while (out.length < tasks.length) {
    const ready = tasks.filter((t) => !done.has(t.id) && t.deps.every((d) => done.has(d)));
    if (ready.length === 0) throw new ConfigError(`dependency cycle among ${tasks.filter((t) => !done.has(t.id)).map((t) => t.id)}`);
    for (const t of ready) {
      done.add(t.id);
      out.push(t);
    }
  }
  return out;
}

/** Every task downstream of `from` (transitively), `from` excluded. */
export function downstreamOf(dag: DagSpec, from: Iterable<string>): Set<string> {
  const found = new Set<string>();
  const queue = [...from];
  while (queue.length > 0) {
    const id = queue.shift()!;
    for (const t of dag.tasks) {
      if (t.deps.includes(id) && !found.has(t.id)) {
        found.add(t.id);
        queue.push(t.id);
      }
    }
  }
  return found;
}
