import { z } from 'zod';
import { RunTracker, type RunRecord } from '../../registry/index.ts';
import { ValidationError } from '../../shared/index.ts';
import { defineCommand } from '../command.ts';
import { formatTable } from '../table.ts';

/** The final metric a run is judged by: hold-out NDCG for trainings and evaluations, validation NDCG for trials. */
function judgedBy(r: RunRecord): string {
  const holdout = r.metrics['holdout.ndcg'];
  const validation = r.metrics['validation.ndcg'];
  return holdout !== undefined ? `hold-out NDCG ${holdout.toFixed(4)}` : validation !== undefined ? `validation NDCG ${validation.toFixed(4)}` : '';
}

/** One row per run, in columns as wide as their widest value, under a header. */
function runTable(runs: readonly RunRecord[]): string[] {
  return formatTable([
    ['run', 'experiment', 'type', 'model', 'status', 'started', 'result'],
    ...runs.map((r) => [r.runId, r.experiment, r.runType, r.modelKind, r.status, r.startedAt, judgedBy(r)]),
  ]);
}

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
    else for (const line of runTable(r.runs)) io.out(line);
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
    for (const line of runTable([r])) io.out(line);
    io.out(`params: ${JSON.stringify(r.params)}`);
    io.out(`code ${r.codeVersion}; started ${r.startedAt}${r.seconds !== null ? `, ${r.seconds.toFixed(2)} s` : ''}`);
    io.out(
      `data: ${r.data.files} landing file(s) (fingerprint ${r.data.fingerprint.slice(0, 12)}…), ${r.data.interactions} weighted interactions, newest ${r.data.newestEvent ?? '—'}`,
    );
    const f = r.data.feedback;
    const counts = (c: Readonly<Record<string, number>>) =>
      Object.entries(c)
        .map(([type, n]) => `${n} ${type}`)
        .join(', ') || 'none';
    io.out(f ? `feedback: ${counts(f.used)} (up to feedback_id ${f.newestId}); left out: ${counts(f.unknown)}` : 'feedback: not learned from');
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
    const text = (v: unknown) => (v === undefined ? 'not recorded' : typeof v === 'number' && !Number.isInteger(v) ? v.toFixed(4) : String(v));
    const rows: string[][] = [
      ['', ...r.runs.map((run) => run.runId)],
      ['model', ...r.runs.map((run) => run.modelKind)],
    ];
    for (const k of keys((run) => run.params)) rows.push([`param ${k}`, ...r.runs.map((run) => text(run.params[k]))]);
    for (const k of keys((run) => run.metrics)) rows.push([k, ...r.runs.map((run) => text(run.metrics[k]))]);
    for (const line of formatTable(rows, { rightFrom: 1 })) io.out(line);
  },
});
