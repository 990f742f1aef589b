import { z } from 'zod';
import type { FeedbackUsage } from '../../features/index.ts';
import type { ModelKind } from '../../models/index.ts';
import { runTrainJob, type TrainSummary } from '../../pipeline/index.ts';
import type { Runtime } from '../../runtime/index.ts';
import { createProgressBar, stageLogger } from '../../shared/io.ts';
import { ValidationError } from '../../shared/index.ts';
import { defineCommand, type CommandIo } from '../command.ts';
import { evaluateAll, printEvaluateAll, type EvaluateAllSummary } from './evaluate-all.ts';
import { holdoutJobOptions, hyperparameters, modelOptions } from './model-options.ts';

/** Shared by `train` (saves the model) and `evaluate` (hold-out only). */
export async function trainOrEvaluate(runtime: Runtime, o: z.output<z.ZodObject<typeof modelOptions>>, io: CommandIo, save: boolean): Promise<TrainSummary> {
  const bar = createProgressBar(process.stderr, !io.json && process.stderr.isTTY === true);
  const params = hyperparameters(o);
  const total = typeof params['iterations'] === 'number' ? params['iterations'] : undefined;
  try {
    return await runTrainJob({
      warehouse: await runtime.warehouse(),
      store: await runtime.store(),
      kind: o.algo as ModelKind,
      params,
      logger: stageLogger(runtime.logger, 'train'),
      ...holdoutJobOptions(runtime.config, o),
      save,
      onEpoch: (phase, r) => bar.update(`${o.algo} ${phase} epoch ${r.epoch}`, r.epoch, total ?? r.epoch),
    });
  } finally {
    bar.finish();
  }
}

export function printTrainSummary(s: TrainSummary, io: CommandIo): void {
  io.out(`${s.kind} ${JSON.stringify(s.params)} on ${s.users} users × ${s.items} services, ${s.interactions} weighted interactions`);
  io.out(feedbackLine(s.feedback));
  if (s.holdout) {
    const h = s.holdout;
    io.out(`hold-out (${h.users} users, latest reservations, top ${h.k}):`);
    const regional = h.regionalPopularity;
    io.out(`  metric      ${s.kind.padStart(9)}  popularity   lift${regional ? '  popular in region' : ''}`);
    for (const name of Object.keys(h.metrics) as (keyof typeof h.metrics)[]) {
      const line = `  ${name.padEnd(10)} ${h.metrics[name].toFixed(4).padStart(9)}  ${h.popularity[name].toFixed(4).padStart(10)}  ${(h.liftPercent[name] ?? 0).toFixed(0).padStart(5)} %`;
      io.out(regional ? `${line}  ${regional[name].toFixed(4).padStart(17)}` : line);
    }
    io.out(`  fit ${h.fitSeconds.toFixed(2)} s`);
  }
  if (s.saved) io.out(`saved ${s.saved.prefix} (fit on all reservations in ${s.saved.fitSeconds.toFixed(2)} s)`);
  if (s.registered) {
    const { name, version } = s.registered;
    io.out(`registered as ${name} version ${version} (run ${s.run}); to serve it: pickwise models promote ${name} ${version} --alias champion`);
  } else io.out(`recorded as run ${s.run} (pickwise runs show ${s.run})`);
}

/** `feedback: 12 select, 3 cancel learned from (2 left out: unknown user or service)`, or that none was read. */
export function feedbackLine(f: FeedbackUsage | undefined): string {
  if (!f) return 'feedback: not learned from (--no-feedback or feedback.learn: false)';
  const by = (counts: FeedbackUsage['used']) =>
    Object.entries(counts)
      .map(([type, n]) => `${n} ${type}`)
      .join(', ');
  const left = Object.values(f.unknown).reduce((a, n) => a + (n ?? 0), 0);
  const used = f.events === 0 ? 'no events learned from' : `${by(f.used)} learned from`;
  const out = left > 0 ? `; ${by(f.unknown)} left out (unknown user or service)` : '';
  const canceled = f.pairsCanceledOut > 0 ? `; ${f.pairsCanceledOut} user–service pair(s) canceled out` : '';
  return `feedback: ${used}${out}${canceled}`;
}

/** `train` and `evaluate` differ only in whether the model fitted on everything is saved. */
function modelCommand(spec: { name: string; description: string; save: boolean }) {
  return defineCommand({
    name: spec.name,
    description: spec.description,
    options: z.object(modelOptions),
    run: async (runtime, o, io): Promise<TrainSummary | EvaluateAllSummary> => {
      if (o.algo !== 'all') return trainOrEvaluate(runtime, o, io, spec.save);
      if (spec.save)
        throw new ValidationError('train saves one model: compare every model with pickwise evaluate --algo all, or let pickwise tune --algo auto choose one');
      return evaluateAll(runtime, o);
    },
    print: (s: TrainSummary | EvaluateAllSummary, io: CommandIo) => ('models' in s ? printEvaluateAll(s, io) : printTrainSummary(s, io)),
  });
}

export const trainCommand = modelCommand({
  name: 'train',
  description:
    'Train a model on the warehouse, report hold-out metrics beside popularity, save it to the bucket (artifacts/<run>/) and register it as a new version',
  save: true,
});

export const evaluateCommand = modelCommand({
  name: 'evaluate',
  description: 'Evaluate a model on a temporal hold-out beside popularity (saves nothing)',
  save: false,
});
