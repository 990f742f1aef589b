import type { DagSpecInput, OrchestrationConfig } from '../config/index.ts';
import { checkDag, type JobParamsCheck } from './dag.ts';
import type { DagSpec } from './ports.ts';

/** Ids of the built-in DAGs; a user DAG with one of these ids replaces the built-in. */
export const BUILTIN_DAG_IDS = ['daily', 'on-landing', 'tune-weekly'] as const;

const HOUR = 3600;

/**
 * The built-in DAGs as raw specs, from their settings:
 * - `daily`: INGEST → BUILD_FEATURES → TRAIN each model kind in parallel (each evaluates and registers a version)
 *   → PROMOTE_IF_BETTER (the best of them, through the registry's gate).
 * - `on-landing`: a new landing file → INGEST → BUILD_FEATURES (incremental). Serving picks up newly promoted models
 *   by itself (it polls its alias), so nothing here restarts it.
 * - `tune-weekly`: TUNE (which trains, saves and registers the best parameters found) → PROMOTE_IF_BETTER.
 */
export function builtinDagSpecs(o: { readonly builtins: OrchestrationConfig['builtins']; readonly alias?: string }): Record<string, DagSpecInput> {
  const { daily, onLanding, tuneWeekly } = o.builtins;
  const naming: Record<string, string> = daily.modelName !== undefined ? { registerAs: daily.modelName } : {};
  const promote: Record<string, string> = {
    ...(daily.modelName !== undefined ? { name: daily.modelName } : {}),
    ...(o.alias !== undefined ? { alias: o.alias } : {}),
  };
  const specs: Record<string, DagSpecInput> = {};
  if (daily.enabled) {
    const trains = daily.kinds.map((kind) => ({
      id: `train-${kind.replace(/[^a-z0-9_-]/g, '-')}`,
      job: 'TRAIN',
      params: { kind, ...naming },
      deps: ['features'],
      pool: 'cpu',
      timeout: 2 * HOUR,
    }));
    specs['daily'] = {
      id: 'daily',
      description: 'Ingest, build features, train every model kind in parallel, promote the best if it beats the champion',
      schedule: daily.schedule,
      timezone: daily.timezone,
      ...(daily.deadline !== undefined ? { deadline: daily.deadline } : {}),
      tasks: [
        { id: 'ingest', job: 'INGEST', pool: 'io' },
        { id: 'features', job: 'BUILD_FEATURES', deps: ['ingest'] },
        ...trains,
        { id: 'promote', job: 'PROMOTE_IF_BETTER', params: promote, deps: trains.map((t) => t.id) },
      ],
    };
  }
  if (onLanding.enabled) {
    specs['on-landing'] = {
      id: 'on-landing',
      description: 'A new landing file: ingest it and refresh the features serving reads',
      sensors: [{ kind: 'landing' }],
      tasks: [
        { id: 'ingest', job: 'INGEST', pool: 'io' },
        { id: 'features', job: 'BUILD_FEATURES', params: { incremental: true }, deps: ['ingest'] },
      ],
    };
  }
  if (tuneWeekly.enabled) {
    specs['tune-weekly'] = {
      id: 'tune-weekly',
      description:
        tuneWeekly.kind === 'auto'
          ? 'Search every model family under one budget (the best is trained and registered), promote it if it beats the champion'
          : `Tune ${tuneWeekly.kind} (the best parameters are trained and registered by the search), promote that version if it beats the champion`,
      schedule: tuneWeekly.schedule,
      timezone: tuneWeekly.timezone,
      tasks: [
        {
          id: 'tune',
          job: 'TUNE',
          params: { kind: tuneWeekly.kind, trials: tuneWeekly.trials, budgetSeconds: tuneWeekly.budget, ...naming },
          pool: 'cpu',
          timeout: 12 * HOUR,
        },
        { id: 'promote', job: 'PROMOTE_IF_BETTER', params: promote, deps: ['tune'] },
      ],
    };
  }
  return specs;
}

/**
 * Every DAG the scheduler runs: the enabled built-ins, then the user's (`orchestration.dags`; one with a built-in's
 * id replaces it), each checked against the pools and the job catalog. Throws ConfigError naming the path.
 */
export function buildDags(o: { readonly config: OrchestrationConfig; readonly jobParamsError: JobParamsCheck; readonly alias?: string }): DagSpec[] {
  const pools = Object.keys(o.config.pools);
  const check = (raw: unknown, path: string) => checkDag(raw, { pools, jobParamsError: o.jobParamsError, path });
  const userIds = new Set(o.config.dags.map((d) => d.id));
  const builtins = Object.entries(builtinDagSpecs({ builtins: o.config.builtins, ...(o.alias !== undefined ? { alias: o.alias } : {}) }))
    .filter(([id]) => !userIds.has(id))
    .map(([id, raw]) => check(raw, `orchestration.builtins.${id === 'daily' ? 'daily' : id === 'on-landing' ? 'onLanding' : 'tuneWeekly'}`));
  return [...builtins, ...o.config.dags.map((raw, i) => check(raw, `orchestration.dags.${i}`))];
}
