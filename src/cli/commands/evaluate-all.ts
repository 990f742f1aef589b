import type { z } from 'zod';
import { MODEL_KINDS, type ModelKind } from '../../models/index.ts';
import { runTrainJob, type TrainSummary } from '../../pipeline/index.ts';
import type { Runtime } from '../../runtime/index.ts';
import { ValidationError } from '../../shared/index.ts';
import { stageLogger } from '../../shared/io.ts';
import type { CommandIo } from '../command.ts';
import { formatTable } from '../table.ts';
import { holdoutJobOptions, hyperparameters, type modelOptions } from './model-options.ts';

/** `evaluate --algo all`: every model family with its defaults on one hold-out, popularity beside. */
export interface EvaluateAllSummary {
  readonly k: number;
  /** Hold-out users scored (the same for every model). */
  readonly users: number;
  readonly models: readonly {
    readonly kind: ModelKind;
    readonly params: Record<string, unknown>;
    readonly run: string;
    readonly holdout: NonNullable<TrainSummary['holdout']>;
  }[];
  readonly popularity: NonNullable<TrainSummary['holdout']>['popularity'];
}

/** Each model kind of the catalog but popularity (the baseline of every row) evaluated with its defaults. */
export async function evaluateAll(runtime: Runtime, o: z.output<z.ZodObject<typeof modelOptions>>): Promise<EvaluateAllSummary> {
  const given = Object.keys(hyperparameters(o));
  if (given.length > 0)
    throw new ValidationError(`--algo all evaluates every model with its defaults: drop ${given.map((g) => `--${g}`).join(', ')}, or name one --algo`);
  if (o.holdout === 0) throw new ValidationError('--algo all compares models on the hold-out: --holdout must be above 0');
  const warehouse = await runtime.warehouse();
  const store = await runtime.store();
  const models: EvaluateAllSummary['models'][number][] = [];
  let last: TrainSummary | undefined;
  for (const kind of MODEL_KINDS.filter((k) => k !== 'popular')) {
    last = await runTrainJob({
      warehouse,
      store,
      kind,
      params: {},
      logger: stageLogger(runtime.logger, 'evaluate'),
      ...holdoutJobOptions(runtime.config, o),
      save: false,
    });
    if (last.holdout === undefined) throw new ValidationError('no user has enough reservations for a hold-out: lower --min-interactions');
    models.push({ kind, params: last.params, run: last.run, holdout: last.holdout });
  }
  return { k: o.k, users: last?.holdout?.users ?? 0, models, popularity: last!.holdout!.popularity };
}

/** One row per model (its metrics and NDCG lift over popularity), popularity last. */
export function printEvaluateAll(s: EvaluateAllSummary, io: CommandIo): void {
  const metrics = Object.keys(s.popularity) as (keyof EvaluateAllSummary['popularity'])[];
  io.out(`hold-out (${s.users} users, latest reservations, top ${s.k}), every model with its defaults:`);
  const rows = [['model', ...metrics, 'NDCG lift', 'fit s']];
  for (const m of s.models) {
    const lift = m.holdout.liftPercent['ndcg'] ?? 0;
    rows.push([
      m.kind,
      ...metrics.map((name) => m.holdout.metrics[name].toFixed(4)),
      `${lift >= 0 ? '+' : ''}${lift.toFixed(0)} %`,
      m.holdout.fitSeconds.toFixed(2),
    ]);
  }
  rows.push(['popular (baseline)', ...metrics.map((name) => s.popularity[name].toFixed(4)), '-', '-']);
  for (const line of formatTable(rows, { rightFrom: 1 })) io.out(line);
}
