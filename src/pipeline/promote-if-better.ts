import { stageLogger } from '../shared/io.ts';
import { z } from 'zod';
import { ConflictError, ValidationError } from '../shared/index.ts';
import { defineJob, type JobResult } from './job-definition.ts';
import { learnedFeedback, type RegisteredResult } from './model-jobs.ts';
import { promoteVersion } from './promote-job.ts';
import { actorName } from './train-job.ts';

/** Upstream results that name a registered version (TRAIN, TUNE), optionally of one model name. */
export function registeredCandidates(upstream: Readonly<Record<string, JobResult>>, name?: string): (RegisteredResult & { readonly task: string })[] {
  const out: (RegisteredResult & { task: string })[] = [];
  for (const [task, r] of Object.entries(upstream)) {
    if (typeof r['name'] !== 'string' || typeof r['version'] !== 'number' || typeof r['run'] !== 'string') continue;
    if (name !== undefined && r['name'] !== name) continue;
    const ndcg = typeof r['ndcg'] === 'number' ? r['ndcg'] : null;
    out.push({ task, name: r['name'], version: r['version'], run: r['run'], kind: typeof r['kind'] === 'string' ? r['kind'] : '', ndcg });
  }
  // Best hold-out NDCG first; versions without a hold-out last.
  return out.sort((a, b) => (b.ndcg ?? -Infinity) - (a.ndcg ?? -Infinity));
}

/**
 * Promotes the best version its upstream TRAIN (or TUNE) tasks registered (by hold-out NDCG@10) through the
 * promotion gate of `pickwise models promote`. A refusal by the gate is an outcome, not a failure: the task
 * succeeds with `{ promoted: false, why }`, and the alias stays where it was.
 */
export const PROMOTE_IF_BETTER = defineJob({
  name: 'PROMOTE_IF_BETTER',
  description: 'Promote the best version registered by the upstream train tasks to an alias, if the promotion gate agrees',
  params: z.strictObject({
    /** Consider only upstream versions of this registered model name. */
    name: z.string().min(1).max(200).optional(),
    alias: z
      .string()
      .regex(/^[a-z][a-z0-9_-]{0,63}$/, 'lower-case letters, digits, _ or - (at most 64, starting with a letter)')
      .default('champion'),
  }),
  cpuHeavy: true,
  async run(ctx): Promise<JobResult> {
    const candidates = registeredCandidates(ctx.upstream, ctx.params.name);
    const best = candidates[0];
    if (!best) {
      throw new ValidationError(
        `PROMOTE_IF_BETTER found no registered version${ctx.params.name ? ` of '${ctx.params.name}'` : ''} among its upstream tasks (${Object.keys(ctx.upstream).join(', ') || 'none'}): make it depend on TRAIN tasks`,
      );
    }
    ctx.log.info({ name: best.name, version: best.version, ndcg: best.ndcg, task: best.task, alias: ctx.params.alias }, 'promoting the best upstream version');
    try {
      const r = await promoteVersion({
        warehouse: await ctx.deps.warehouse(),
        store: await ctx.deps.store(),
        logger: stageLogger(ctx.log, 'promote'),
        name: best.name,
        version: best.version,
        alias: ctx.params.alias,
        actor: actorName(),
        reason: `promoted by DAG run ${ctx.runKey}, task ${ctx.taskId}`,
        ...(learnedFeedback(ctx.deps.config) ? { feedback: learnedFeedback(ctx.deps.config) } : {}),
      });
      return {
        promoted: true,
        name: r.name,
        version: r.version,
        alias: r.alias,
        previous: r.previous ?? null,
        gate: r.gate ? { ...r.gate } : null,
      };
    } catch (error) {
      // The gate (or an archived version) refused: the alias stays, and that is this task's answer.
      if (!(error instanceof ConflictError)) throw error;
      ctx.log.warn({ name: best.name, version: best.version, why: error.message }, 'not promoted');
      return { promoted: false, name: best.name, version: best.version, alias: ctx.params.alias, why: error.message };
    }
  },
});
