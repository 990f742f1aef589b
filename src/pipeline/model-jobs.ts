import { stageLogger } from '../shared/io.ts';
import { z } from 'zod';
import type { FeedbackWeights } from '../features/index.ts';
import { MODEL_CATALOG, MODEL_KINDS, type ModelKind } from '../models/index.ts';
import { ModelRegistry, RunTracker } from '../registry/index.ts';
import type { Config } from '../config/index.ts';
import { ValidationError } from '../shared/index.ts';
import { defineJob, type JobContext, type JobResult } from './job-definition.ts';
import { runTrainJob, type TrainSummary } from './train-job.ts';
import { DEFAULT_AUTO_BUDGET_MS, runAutoTuneJob } from './tune-auto-job.ts';
import { runTuneJob } from './tune-job.ts';

const kind = z.enum(MODEL_KINDS as [ModelKind, ...ModelKind[]]);
/** A registered model name, as the registry accepts it. */
const modelName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$/, 'letters, digits, ., _ or - (at most 200, starting with a letter or digit)');

/** The feedback weights training learns with: the configured ones unless `feedback.learn` is off (as the CLI). */
export function learnedFeedback(config: Readonly<Config>): FeedbackWeights | undefined {
  return config.feedback.learn ? config.feedback.weights : undefined;
}

/** What a task that registered a model version returns: PROMOTE_IF_BETTER reads these from its upstream tasks. */
export interface RegisteredResult {
  readonly [key: string]: string | number | null;
  readonly name: string;
  readonly version: number;
  readonly run: string;
  readonly kind: string;
  /** Hold-out NDCG@10 of the version's settings (null: no hold-out). */
  readonly ndcg: number | null;
}

function registeredResult(s: TrainSummary): RegisteredResult {
  return { name: s.registered!.name, version: s.registered!.version, run: s.run, kind: s.kind, ndcg: s.holdout?.metrics.ndcg ?? null };
}

/** The registry reason that marks a version as this task's, so a retried try finds it instead of registering another. */
function registerMarker(ctx: JobContext<unknown>): string {
  return `trained by DAG run ${ctx.runKey}, task ${ctx.taskId}`;
}

/** The version an earlier try of this task registered, if any. */
async function registeredBefore(ctx: JobContext<unknown>, name: string, kindName: string): Promise<RegisteredResult | undefined> {
  const warehouse = await ctx.deps.warehouse();
  const marker = `${registerMarker(ctx)} (run `;
  const event = (await new ModelRegistry(warehouse).events(name)).find((e) => e.action === 'register' && e.reason.startsWith(marker));
  if (event?.version === undefined || event.version === null) return undefined;
  const version = await new ModelRegistry(warehouse).version(name, event.version);
  const run = await new RunTracker(warehouse).get(version.runId);
  return { name, version: version.version, run: version.runId, kind: kindName, ndcg: run.metrics['holdout.ndcg'] ?? null };
}

/** The best parameters an upstream TUNE task found for `kind`, with that task's id; undefined when there is none. */
export function tunedParams(
  upstream: Readonly<Record<string, JobResult>>,
  kindName: string,
): { readonly task: string; readonly params: Record<string, string | number | boolean> } | undefined {
  for (const [task, r] of Object.entries(upstream)) {
    const best = r['bestParams'];
    if (r['kind'] !== kindName || typeof best !== 'object' || best === null || Array.isArray(best)) continue;
    const params = Object.fromEntries(
      Object.entries(best).filter((e): e is [string, string | number | boolean] => ['string', 'number', 'boolean'].includes(typeof e[1])),
    );
    return { task, params };
  }
  return undefined;
}

/**
 * `pickwise train` as a task: trains on the warehouse, scores the hold-out, saves and registers a new version.
 * Without `params`, the parameters an upstream TUNE task of the same kind found are used (TUNE → TRAIN).
 */
export const TRAIN = defineJob({
  name: 'TRAIN',
  description: 'Train a model (hold-out scored beside popularity), save it to the bucket and register it as a new version',
  params: z
    .strictObject({
      kind,
      /** Hyperparameters; the model's defaults fill in the rest. */
      params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).default({}),
      /** Registered model name; default the model kind. */
      registerAs: modelName.optional(),
      seed: z.number().int().min(0).default(42),
    })
    .superRefine((p, ctx) => {
      const known = Object.keys(MODEL_CATALOG[p.kind].defaults as object);
      for (const name of Object.keys(p.params)) {
        if (!known.includes(name))
          ctx.addIssue({ code: 'custom', path: ['params', name], message: `${p.kind} has no parameter ${name}; it takes ${known.join(', ')}` });
      }
    }),
  cpuHeavy: true,
  async run(ctx) {
    const name = ctx.params.registerAs ?? ctx.params.kind;
    const earlier = await registeredBefore(ctx, name, ctx.params.kind);
    if (earlier) {
      ctx.log.info({ name, version: earlier.version }, 'an earlier try of this task registered this version already');
      return earlier;
    }
    const tuned = Object.keys(ctx.params.params).length === 0 ? tunedParams(ctx.upstream, ctx.params.kind) : undefined;
    if (tuned) ctx.log.info({ task: tuned.task, params: tuned.params }, 'training with the parameters tuned upstream');
    const summary = await runTrainJob({
      warehouse: await ctx.deps.warehouse(),
      store: await ctx.deps.store(),
      kind: ctx.params.kind,
      params: tuned?.params ?? ctx.params.params,
      logger: stageLogger(ctx.log, 'train'),
      seed: ctx.params.seed,
      save: true,
      registerAs: name,
      registerReason: registerMarker(ctx),
      signal: ctx.signal,
      ...(learnedFeedback(ctx.deps.config) ? { feedback: learnedFeedback(ctx.deps.config) } : {}),
    });
    return registeredResult(summary);
  },
});

/**
 * `pickwise tune` as a task: a hyperparameter search that continues the kind's study, then trains and registers
 * the best. `kind: 'auto'` is `tune --algo auto`: every family (or `algos`) within `budgetSeconds`, the winner
 * trained and registered (its result's `kind` is the winning family's).
 */
export const TUNE = defineJob({
  name: 'TUNE',
  description:
    "Search a model's hyperparameters (continuing its study in the warehouse), or with kind 'auto' every model family's, then train, save and register the best",
  params: z.strictObject({
    kind: z.union([kind, z.literal('auto')]),
    /** Trials of a single kind's search (kind 'auto' stops by budgetSeconds alone). */
    trials: z.number().int().positive().max(10_000).default(20),
    /** Start no new trial after this many seconds; kind 'auto': the whole search's budget (default 300). */
    budgetSeconds: z.number().positive().optional(),
    /** Kind 'auto': the families to search (default every model with a search space). */
    algos: z.array(z.string()).min(1).optional(),
    study: z.string().min(1).max(200).optional(),
    seed: z.number().int().min(0).default(42),
    /** Registered model name of the best model (default the kind), as TRAIN's. */
    registerAs: modelName.optional(),
  }),
  cpuHeavy: true,
  async run(ctx) {
    const p = ctx.params;
    if (p.kind === 'auto') return runAutoTask(ctx, { ...p, kind: 'auto' });
    if (p.algos !== undefined) throw new ValidationError(`algos is for kind 'auto'; kind ${p.kind} searches that model alone`);
    const s = await runTuneJob({
      warehouse: await ctx.deps.warehouse(),
      store: await ctx.deps.store(),
      kind: p.kind as ModelKind,
      trials: p.trials,
      ...(p.budgetSeconds !== undefined ? { timeoutMs: p.budgetSeconds * 1000 } : {}),
      ...(p.study !== undefined ? { study: p.study } : {}),
      seed: p.seed,
      save: true,
      ...(p.registerAs !== undefined ? { registerAs: p.registerAs } : {}),
      ...(learnedFeedback(ctx.deps.config) ? { feedback: learnedFeedback(ctx.deps.config) } : {}),
      logger: stageLogger(ctx.log, 'tune'),
      signal: ctx.signal,
      onTrial: (t, best) => ctx.log.info({ trial: t.number, state: t.state, value: t.value, best: best?.value }, 'trial done'),
    });
    return {
      study: s.study,
      kind: s.kind,
      trials: { ...s.trials },
      bestNdcg: s.best?.validationNdcg ?? null,
      bestParams: s.best ? { ...(s.best.params as Record<string, number | string | boolean>) } : null,
      ...(s.final?.registered ? registeredResult(s.final) : {}),
    };
  },
});

/** TUNE with kind 'auto': the families' search under one budget; returns what TUNE returns, for the winner. */
async function runAutoTask(
  ctx: JobContext<unknown>,
  p: {
    kind: 'auto';
    budgetSeconds?: number | undefined;
    algos?: string[] | undefined;
    study?: string | undefined;
    seed: number;
    registerAs?: string | undefined;
  },
): Promise<JobResult> {
  const s = await runAutoTuneJob({
    warehouse: await ctx.deps.warehouse(),
    store: await ctx.deps.store(),
    budgetMs: p.budgetSeconds !== undefined ? p.budgetSeconds * 1000 : DEFAULT_AUTO_BUDGET_MS,
    ...(p.algos !== undefined ? { families: p.algos } : {}),
    ...(p.study !== undefined ? { study: p.study } : {}),
    seed: p.seed,
    save: true,
    ...(p.registerAs !== undefined ? { registerAs: p.registerAs } : {}),
    ...(learnedFeedback(ctx.deps.config) ? { feedback: learnedFeedback(ctx.deps.config) } : {}),
    logger: ctx.log.child({ stage: 'tune' }),
    signal: ctx.signal,
    onTrial: (family, t, best) => ctx.log.info({ family, trial: t.number, state: t.state, value: t.value, best: best?.value }, 'trial done'),
  });
  const sum = (state: 'complete' | 'pruned' | 'failed') => s.families.reduce((n, f) => n + f.trials[state], 0);
  return {
    study: p.study ?? 'auto',
    kind: s.winner?.kind ?? null,
    trials: { complete: sum('complete'), pruned: sum('pruned'), failed: sum('failed') },
    families: Object.fromEntries(s.families.map((f) => [f.kind, f.skipped !== undefined ? null : (f.best?.validationNdcg ?? null)])),
    bestNdcg: s.winner?.validationNdcg ?? null,
    bestParams: s.winner ? { ...(s.winner.params as Record<string, number | string | boolean>) } : null,
    ...(s.final?.registered ? registeredResult(s.final) : {}),
  };
}
