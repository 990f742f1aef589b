import { z } from 'zod';
import { durationSeconds } from './durations.ts';
import { boolish } from './scalars.ts';

/** Ids of DAGs, tasks and pools: they appear in run keys, queue names and job ids (so no `:` or `.`). */
export const ORCHESTRATION_ID = /^[a-z][a-z0-9_-]{0,63}$/;
const id = (what: string) => z.string().regex(ORCHESTRATION_ID, `${what} must match ${ORCHESTRATION_ID} (lower-case letters, digits, - and _)`);

/** Retry policy of a task: `retries` tries after the first, `delay` seconds before the first retry, ×`factor` each. */
export const retryPolicySchema = z
  .object({
    retries: z.number().int().min(0).max(100).default(2),
    delay: durationSeconds.default(30),
    factor: z.number().min(1).max(10).default(2),
    maxDelay: durationSeconds.default(600),
    /** Share of the delay drawn at random and added (0–1). */
    jitter: z.number().min(0).max(1).default(0.1),
  })
  .strict();

export const taskSpecSchema = z
  .object({
    id: id('task id'),
    /** A job of the catalog (`pickwise dags jobs`), e.g. INGEST, TRAIN. */
    job: z.string().regex(/^[A-Z][A-Z0-9_]*$/, 'job names are SCREAMING_SNAKE, e.g. TRAIN'),
    params: z.record(z.string(), z.json()).default({}),
    deps: z.array(id('dependency')).default([]),
    pool: id('pool').default('default'),
    retry: retryPolicySchema.prefault({}),
    /** Longest one try may take before it is killed and counted as failed. */
    timeout: durationSeconds.pipe(z.number().positive()).default(3600),
  })
  .strict();

export const sensorSpecSchema = z.discriminatedUnion('kind', [z.object({ kind: z.literal('landing'), prefix: z.string().min(1).optional() }).strict()]);

/** One DAG as written in the config file (the built-ins are written the same way). */
export const dagSpecSchema = z
  .object({
    id: id('DAG id'),
    description: z.string().optional(),
    /** Five- or six-field cron expression (seconds first when six); absent: manual, sensors and backfills only. */
    schedule: z.string().min(1).optional(),
    /** IANA time zone of the schedule and of backfill dates (DST handled). */
    timezone: z.string().min(1).default('UTC'),
    sensors: z.array(sensorSpecSchema).default([]),
    /** After a pause or downtime: create every missed run (true) or only the latest due one (false). */
    catchup: z.boolean().default(false),
    maxActiveRuns: z.number().int().min(1).max(1000).default(1),
    /** Time after its logical time by which a run should have finished; missing it alerts once per run. */
    deadline: durationSeconds.pipe(z.number().positive()).optional(),
    tasks: z.array(taskSpecSchema).min(1),
  })
  .strict()
  .superRefine((dag, ctx) => {
    const index = new Map<string, number>();
    dag.tasks.forEach((task, i) => {
      if (index.has(task.id)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'id'], message: `duplicate task id "${task.id}"` });
      else index.set(task.id, i);
    });
    dag.tasks.forEach((task, i) => {
      task.deps.forEach((dep, j) => {
        if (!index.has(dep)) ctx.addIssue({ code: 'custom', path: ['tasks', i, 'deps', j], message: `unknown task "${dep}"` });
      });
    });
    const cycle = findCycle(dag.tasks);
    if (cycle !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['tasks', index.get(cycle[0]!) ?? 0, 'deps'],
        message: `dependency cycle: ${cycle.join(' → ')} (each depends on the next)`,
      });
    }
  });

export type DagSpecInput = z.input<typeof dagSpecSchema>;
export type DagSpecConfig = z.output<typeof dagSpecSchema>;

/**
 * The first dependency cycle found among tasks, as ids from a task back to itself, each depending on the next
 * (`a → b → a`: a depends on b, b on a); undefined when
 * the graph is acyclic. Unknown dependencies are ignored (reported separately).
 */
export function findCycle(tasks: readonly { readonly id: string; readonly deps: readonly string[] }[]): string[] | undefined {
  const deps = new Map(tasks.map((t) => [t.id, t.deps]));
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const dep of deps.get(node) ?? []) {
      if (!deps.has(dep)) continue;
      const found = visit(dep);
      if (found !== undefined) return found;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const t of tasks) {
    const found = visit(t.id);
    if (found !== undefined) return found;
  }
  return undefined;
}

const DEFAULT_POOLS: Readonly<Record<string, number>> = { default: 2, cpu: 1, io: 4 };
const EXECUTOR_URL = /^(local|rediss?:\/\/.+)$/;

/** The `orchestration` section: executor, pools, timings, user DAGs and the built-in DAGs' settings. */
export const orchestrationSchema = z
  .object({
    executor: z
      .object({
        /** `local` (in this process) or `redis://[:password@]host:port[/db]` / `rediss://…` (BullMQ on Redis). */
        url: z.string().regex(EXECUTOR_URL, 'expected local, redis://host:port[/db] or rediss://…').default('local'),
        /** Prefix of the BullMQ queues (`<prefix>-<pool>`, `<prefix>-tick`). */
        prefix: z
          .string()
          .regex(/^[A-Za-z0-9_-]{1,64}$/, 'letters, digits, - and _ only')
          .default('pickwise'),
      })
      .strict()
      .prefault({}),
    /** Pool → tries running at once (over all workers on BullMQ); merged over default: 2, cpu: 1, io: 4. */
    pools: z
      .record(id('pool'), z.coerce.number().int().min(1).max(1000))
      .default({})
      .transform((pools) => ({ ...DEFAULT_POOLS, ...pools })),
    /** Seconds between two scheduler ticks (runs created, ready tasks queued, retries and leases checked). */
    tickSeconds: z.coerce.number().positive().max(3600).default(5),
    /** A running try's lease; its worker renews it every third of it, and a lapsed lease counts as a failed try. */
    leaseSeconds: z.coerce.number().min(3).max(3600).default(30),
    /** Your own DAGs; one with a built-in's id replaces it. */
    dags: z.array(dagSpecSchema).default([]),
    builtins: z
      .object({
        /** INGEST → BUILD_FEATURES → TRAIN each kind in parallel → PROMOTE_IF_BETTER. */
        daily: z
          .object({
            enabled: boolish.default(true),
            schedule: z.string().min(1).default('0 3 * * *'),
            timezone: z.string().min(1).default('UTC'),
            /** Model kinds trained in parallel; the best registered version is promoted through the gate. */
            kinds: z.array(z.string().min(1)).min(1).default(['als', 'bpr', 'item-knn', 'popular', 'rp3beta']),
            /** Registry name the versions are registered under and promoted in. */
            modelName: z.string().min(1).optional(),
            deadline: durationSeconds.pipe(z.number().positive()).optional(),
          })
          .strict()
          .prefault({}),
        /** A new file in the landing prefix → INGEST → BUILD_FEATURES (serving reloads promoted models by itself). */
        onLanding: z
          .object({ enabled: boolish.default(true) })
          .strict()
          .prefault({}),
        /** TUNE → TRAIN (best params) → PROMOTE_IF_BETTER, weekly. */
        tuneWeekly: z
          .object({
            enabled: boolish.default(true),
            schedule: z.string().min(1).default('0 4 * * 0'),
            timezone: z.string().min(1).default('UTC'),
            /** A model kind, or 'auto': every family searched under `budget` and the best chosen (`tune --algo auto`). */
            kind: z.string().min(1).default('auto'),
            /** Trials of a single kind's search ('auto' stops by `budget` alone). */
            trials: z.coerce.number().int().min(1).max(10_000).default(20),
            /** The search's time budget: 'auto''s whole search; a single kind starts no trial after it. */
            budget: durationSeconds.pipe(z.number().positive()).default(1800),
          })
          .strict()
          .prefault({}),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .superRefine((o, ctx) => {
    const seen = new Set<string>();
    o.dags.forEach((dag, i) => {
      if (seen.has(dag.id)) ctx.addIssue({ code: 'custom', path: ['dags', i, 'id'], message: `duplicate DAG id "${dag.id}"` });
      seen.add(dag.id);
      dag.tasks.forEach((task, j) => {
        if (!Object.hasOwn(o.pools, task.pool)) {
          const known = Object.keys(o.pools).join(', ');
          ctx.addIssue({ code: 'custom', path: ['dags', i, 'tasks', j, 'pool'], message: `unknown pool "${task.pool}" (pools: ${known})` });
        }
      });
    });
  });
