import { ModelRegistry, RunTracker } from '../registry/index.ts';
import { ConflictError, NotFoundError } from '../shared/index.ts';
import type { Logger } from '../shared/io.ts';
import type { ObjectStore } from '../storage/index.ts';
import type { Warehouse } from '../warehouse/index.ts';
import type { ModelKind } from '../models/index.ts';
import { loadInteractionLog, type FeedbackWeights } from '../features/index.ts';
import { runTrainJob } from './train-job.ts';

export interface PromoteOptions {
  readonly warehouse: Warehouse;
  readonly store: ObjectStore;
  readonly logger: Logger;
  readonly name: string;
  readonly version: number;
  readonly alias: string;
  /** Promote even when the gate refuses. */
  readonly force?: boolean;
  readonly actor: string;
  readonly reason?: string;
  readonly seed?: number;
  /** The gate's hold-out learns from stored feedback events too, with these weights; undefined: reservations only. */
  readonly feedback?: FeedbackWeights;
}

export interface PromoteResult {
  readonly name: string;
  readonly alias: string;
  readonly version: number;
  readonly previous?: number;
  /** NDCG@10 on the current hold-out of the candidate's and the previous holder's settings, when compared. */
  readonly gate?: { readonly candidate: number; readonly incumbent: number; readonly forced: boolean };
}

/**
 * `pickwise models promote`: points an alias at a version after checking its artifacts (size and SHA-256 as
 * recorded) and, when the alias already points at another version, a promotion gate: both versions' settings
 * are fitted and scored on the current hold-out (each user's latest 20 % of today's warehouse, the same split
 * and seed for both), and a candidate whose NDCG@10 is lower is refused unless forced, saying why.
 */
export async function promoteVersion(o: PromoteOptions): Promise<PromoteResult> {
  const registry = new ModelRegistry(o.warehouse);
  const tracker = new RunTracker(o.warehouse);
  const candidate = await registry.version(o.name, o.version);
  if (candidate.status === 'archived') throw new ConflictError(`model ${o.name} version ${o.version} is archived and cannot be promoted`);
  await tracker.verifyArtifacts(candidate.runId, o.store);
  const incumbent = await registry.aliasTarget(o.name, o.alias);
  let gate: PromoteResult['gate'];
  if (incumbent !== undefined && incumbent !== o.version) {
    const log = await loadInteractionLog(o.warehouse, o.feedback ? { feedback: o.feedback } : {}); // both versions are scored on the same data, loaded once
    const score = async (version: number): Promise<number> => {
      const v = await registry.version(o.name, version);
      const run = await tracker.get(v.runId).catch((error: unknown) => {
        throw error instanceof NotFoundError
          ? new NotFoundError(`run ${v.runId} of model ${o.name} version ${version} is not recorded`, { cause: error })
          : error;
      });
      const summary = await runTrainJob({
        warehouse: o.warehouse,
        store: o.store,
        kind: run.modelKind as ModelKind,
        params: { ...run.params },
        logger: o.logger,
        seed: o.seed ?? 42,
        save: false,
        experiment: `gate:${o.name}`,
        log,
      });
      return summary.holdout!.metrics.ndcg;
    };
    const candidateNdcg = await score(o.version);
    const incumbentNdcg = await score(incumbent);
    const refused = candidateNdcg < incumbentNdcg;
    if (refused && o.force !== true) {
      throw new ConflictError(
        `refusing to make version ${o.version} of ${o.name} '${o.alias}': its NDCG@10 on the current hold-out is ${candidateNdcg.toFixed(4)}, ` +
          `below ${incumbentNdcg.toFixed(4)} of version ${incumbent}, the current '${o.alias}' (use --force to promote anyway)`,
      );
    }
    gate = { candidate: candidateNdcg, incumbent: incumbentNdcg, forced: refused };
  }
  const gateText = gate ? ` (hold-out NDCG@10 ${gate.candidate.toFixed(4)} vs ${gate.incumbent.toFixed(4)}${gate.forced ? ', forced' : ''})` : '';
  const previous = await registry.setAlias(o.name, o.alias, o.version, o.actor, `${o.reason ?? 'promoted'}${gateText}`);
  return { name: o.name, alias: o.alias, version: o.version, ...(previous !== undefined ? { previous } : {}), ...(gate ? { gate } : {}) };
}
