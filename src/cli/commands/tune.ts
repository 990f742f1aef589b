import { stageLogger } from '../../shared/io.ts';
import { z } from 'zod';
import { MODEL_KINDS } from '../../models/index.ts';
import type { ModelKind } from '../../models/index.ts';
import { DEFAULT_AUTO_BUDGET_MS, runAutoTuneJob, runTuneJob, type AutoTuneSummary, type TuneSummary } from '../../pipeline/index.ts';
import { ValidationError } from '../../shared/index.ts';
import type { TrialRecord } from '../../tuning/index.ts';
import { defineCommand, type CommandIo } from '../command.ts';
import { printAutoTuneSummary } from './tune-auto-print.ts';
import { feedbackWeights } from './model-options.ts';
import { feedbackLine, printTrainSummary } from './train.ts';

const DURATION = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;

/** `90s`, `10m`, `1.5h` → milliseconds. */
export const durationMs = z.string().transform((text, ctx) => {
  const m = DURATION.exec(text.trim());
  if (m === null) {
    ctx.addIssue({ code: 'custom', message: `'${text}' is not a duration (e.g. 90s, 10m, 1h)` });
    return z.NEVER;
  }
  return Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
});

/** `trial 7 (8/50) complete  NDCG 0.2311  best 0.2411 (#3)  4.1 s  factors=64 …` */
export function trialLine(t: TrialRecord, best: TrialRecord | undefined, o: { done: number; total?: number; seconds: number }): string {
  const value = t.value !== undefined ? `NDCG ${t.value.toFixed(4)}` : t.state === 'pruned' ? `pruned at step ${t.intermediate.at(-1)?.[0] ?? '?'}` : '';
  const bestText = best?.value !== undefined ? `best ${best.value.toFixed(4)} (#${best.number})` : 'no complete trial yet';
  const params = Object.entries(t.params)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : String(v)}`)
    .join(' ');
  return `trial ${t.number} (${o.done}${o.total !== undefined ? `/${o.total}` : ''}) ${t.state.padEnd(8)} ${value.padEnd(22)} ${bestText}  ${o.seconds.toFixed(1)} s  ${params}`;
}

export const tuneCommand = defineCommand({
  name: 'tune',
  description:
    "Search a model's hyperparameters (TPE, median pruning) on a validation split, or with --algo auto the model families and their hyperparameters together under one budget; studies live in the warehouse; saves the best model",
  options: z.object({
    algo: z
      .enum(['auto', ...MODEL_KINDS] as [string, ...string[]])
      .default('als')
      .describe(`model: ${MODEL_KINDS.join(', ')}, or auto (every family, successive halving under --budget)`),
    budget: durationMs
      .optional()
      .describe(`--algo auto: the whole search's time (default ${DEFAULT_AUTO_BUDGET_MS / 60_000}m); the winner's final fit comes on top`),
    algos: z.string().optional().describe('--algo auto: the families to search, comma-separated (default: every model with a search space)'),
    registerAs: z.string().min(1).max(200).optional().describe('registered name of the saved model (default: its kind)'),
    trials: z.coerce.number().int().positive().max(10_000).default(50).describe('trials this run adds to the study'),
    timeout: durationMs.optional().describe('start no new trial after this long (e.g. 10m)'),
    study: z.string().min(1).max(200).optional().describe('study name (default: the model kind); the same name continues a study, also from other processes'),
    seed: z.coerce.number().int().min(0).default(42).describe('random seed of the sampler and the models'),
    threads: z.coerce.number().int().positive().optional().describe('worker threads per trial (default: all cores)'),
    pruner: z
      .enum(['median', 'halving', 'none'])
      .default('median')
      .describe('median: stop trials trailing the median of complete trials; halving: successive halving; none: never'),
    dryRun: z.boolean().optional().describe('search only: do not train and save the best parameters at the end'),
    noFeedback: z.boolean().optional().describe('learn from reservations only, not from stored feedback events (feedback.learn: false does it always)'),
  }),
  async run(runtime, o, io): Promise<TuneSummary | AutoTuneSummary> {
    if (o.algo !== 'auto' && (o.budget !== undefined || o.algos !== undefined)) {
      throw new ValidationError(`--budget and --algos are for --algo auto; a search of ${o.algo} alone stops with --trials or --timeout`);
    }
    let done = 0;
    let lastAt = performance.now();
    // One line per trial on stderr for people (stdout keeps the result); with --json, the result alone.
    const progress = (line: string): void => {
      if (!io.json) process.stderr.write(`${line}\n`);
    };
    if (o.algo === 'auto') {
      const budgetMs = o.budget ?? DEFAULT_AUTO_BUDGET_MS;
      const algos = o.algos?.split(',').map((a) => a.trim());
      progress(
        `tuning every family${algos ? ` of ${algos.join(', ')}` : ''} within ${budgetMs / 1000} s (successive halving; validation NDCG@10, higher is better)`,
      );
      return runAutoTuneJob({
        warehouse: await runtime.warehouse(),
        store: await runtime.store(),
        budgetMs,
        ...(algos ? { families: algos } : {}),
        ...(o.study !== undefined ? { study: o.study } : {}),
        seed: o.seed,
        ...(o.threads ? { threads: o.threads } : {}),
        save: o.dryRun !== true,
        ...(o.registerAs !== undefined ? { registerAs: o.registerAs } : {}),
        ...(feedbackWeights(runtime.config, o) ? { feedback: feedbackWeights(runtime.config, o) } : {}),
        logger: runtime.logger.child({ stage: 'tune' }),
        onTrial: (kind, t, best) => {
          done++;
          const now = performance.now();
          progress(`${kind.padEnd(9)} ${trialLine(t, best, { done, seconds: (now - lastAt) / 1000 })}`);
          lastAt = now;
        },
      });
    }
    progress(
      `tuning ${o.algo}: ${o.trials} trial(s)${o.timeout !== undefined ? `, at most ${o.timeout / 1000} s` : ''}, study '${o.study ?? o.algo}' (validation NDCG@10, higher is better)`,
    );
    return runTuneJob({
      warehouse: await runtime.warehouse(),
      store: await runtime.store(),
      kind: o.algo as ModelKind,
      trials: o.trials,
      ...(o.timeout !== undefined ? { timeoutMs: o.timeout } : {}),
      ...(o.study !== undefined ? { study: o.study } : {}),
      seed: o.seed,
      ...(o.threads ? { threads: o.threads } : {}),
      pruner: o.pruner as 'median' | 'halving' | 'none',
      save: o.dryRun !== true,
      ...(o.registerAs !== undefined ? { registerAs: o.registerAs } : {}),
      ...(feedbackWeights(runtime.config, o) ? { feedback: feedbackWeights(runtime.config, o) } : {}),
      logger: stageLogger(runtime.logger, 'tune'),
      onTrial: (t, best) => {
        done++;
        const now = performance.now();
        progress(trialLine(t, best, { done, total: o.trials, seconds: (now - lastAt) / 1000 }));
        lastAt = now;
      },
    });
  },
  print(summary: TuneSummary | AutoTuneSummary, io: CommandIo) {
    if ('families' in summary) return printAutoTuneSummary(summary, io);
    const s = summary;
    const t = s.trials;
    io.out(
      `study '${s.study}' (${s.kind}): ${t.complete} complete, ${t.pruned} pruned, ${t.failed} failed this run; ${t.studyTotal} trials in all; ${s.seconds.toFixed(1)} s`,
    );
    if (!s.final) io.out(feedbackLine(s.feedback));
    if (s.best) {
      io.out(`best: trial #${s.best.number}, validation NDCG ${s.best.validationNdcg.toFixed(4)}, ${JSON.stringify(s.best.params)}`);
    } else io.out('no trial completed yet');
    const importance = Object.entries(s.importance);
    if (importance.length > 0) io.out(`importance: ${importance.map(([name, share]) => `${name} ${(share * 100).toFixed(0)} %`).join(', ')}`);
    if (s.final) printTrainSummary(s.final, io);
  },
});
