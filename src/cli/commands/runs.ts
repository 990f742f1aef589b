import { z } from 'zod';
import { RunTracker, type RunRecord } from '../../registry/index.ts';
import { ValidationError } from '../../shared/errors.ts';
import { defineCommand } from '../command.ts';

const headline = (r: RunRecord): string =>
  `${r.runId}  ${r.experiment.padEnd(14)} ${r.runType.padEnd(10)} ${r.modelKind.padEnd(8)} ${r.status.padEnd(8)} ` +
  `${r.metrics['holdout.ndcg'] !== undefined ? `hold-out NDCG ${r.metrics['holdout.ndcg'].toFixed(4)}` : r.metrics['validation.ndcg'] !== undefined ? `validation NDCG ${r.metrics['validation.ndcg'].toFixed(4)}` : ''}`;

export const runsListCommand = defineCommand({
  name: 'runs list',
  description: 'Tracked runs (trainings and tuning trials), newest first',
  options: z.object({
    experiment: z.string().min(1).optional().describe('only this experiment (e.g. als, tune:als)'),
    limit: z.coerce.number().int().positive().max(10_000).default(20).describe('at most this many runs'),
  }),
  async run(runtime, o): Promise<{ runs: RunRecord[] }> {
    return { runs: await new RunTracker(await runtime.warehouse()).list({ limit: o.limit, ...(o.experiment ? { experiment: o.experiment } : {}) }) };
  },
  print(r, io) {
    if (r.runs.length === 0) io.out('No runs yet: pickwise train, evaluate and tune record them.');
    for (const run of r.runs) io.out(headline(run));
  },
});

export const runsShowCommand = defineCommand({
  name: 'runs show',
  description: 'One run: parameters, metrics (also per iteration), data snapshot, code version, artifacts',
  options: z.object({ run: z.string().min(1).describe('run id') }),
  args: ['run'],
  async run(runtime, o) {
    return new RunTracker(await runtime.warehouse()).show(o.run);
  },
  print(r, io) {
    io.out(headline(r));
    io.out(`params: ${JSON.stringify(r.params)}`);
    io.out(`code ${r.codeVersion}; started ${r.startedAt}${r.seconds !== null ? `, ${r.seconds.toFixed(2)} s` : ''}`);
    io.out(`data: ${r.data.files} landing file(s) (fingerprint ${r.data.fingerprint.slice(0, 12)}…), ${r.data.interactions} weighted reservations, newest ${r.data.newestEvent ?? '—'}`);
    for (const [name, value] of Object.entries(r.metrics)) io.out(`  ${name.padEnd(32)} ${Number.isInteger(value) ? value : value.toFixed(4)}`);
    for (const [name, steps] of Object.entries(r.steps)) io.out(`  ${name} per step: ${steps.map(([s, v]) => `${s}:${v.toFixed(4)}`).join(' ')}`);
    for (const a of r.artifacts) io.out(`  artifact ${a.key} (${a.size} bytes, sha256 ${a.sha256.slice(0, 12)}…)`);
  },
});

export const runsCompareCommand = defineCommand({
  name: 'runs compare',
  description: 'Several runs side by side: parameters and final metrics',
  options: z.object({ runs: z.array(z.string().min(1)).min(2).describe('two or more run ids') }),
  args: ['runs...'],
  async run(runtime, o): Promise<{ runs: RunRecord[] }> {
    if (new Set(o.runs).size !== o.runs.length) throw new ValidationError('give each run once');
    const tracker = new RunTracker(await runtime.warehouse());
    const runs: RunRecord[] = [];
    for (const id of o.runs) runs.push(await tracker.get(id));
    return { runs };
  },
  print(r, io) {
    const keys = (pick: (run: RunRecord) => Readonly<Record<string, unknown>>) => [...new Set(r.runs.flatMap((run) => Object.keys(pick(run))))].sort();
    const cell = (v: unknown) => (v === undefined ? '—' : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v)).padStart(22);
    io.out(`${''.padEnd(28)}${r.runs.map((run) => run.runId.padStart(22)).join('')}`);
    for (const k of keys((run) => run.params)) io.out(`${`param ${k}`.padEnd(28)}${r.runs.map((run) => cell(run.params[k])).join('')}`);
    for (const k of keys((run) => run.metrics)) io.out(`${k.padEnd(28)}${r.runs.map((run) => cell(run.metrics[k])).join('')}`);
  },
});
