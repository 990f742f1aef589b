import { ValidationError } from '../shared/index.ts';
import { AlsRecommender, alsDefaults, alsSearchSpace } from './als/index.ts';
import { BprRecommender, bprDefaults, bprSearchSpace } from './bpr/index.ts';
import { EaseRecommender, easeDefaults, easeSearchSpace } from './ease/index.ts';
import type { ModelArtifact, ModelKind, Recommender, SearchSpace } from './core/index.ts';
import { GfCfRecommender, gfCfDefaults, gfCfSearchSpace } from './gf-cf/index.ts';
import { ItemKnnRecommender, itemKnnDefaults, itemKnnSearchSpace } from './item-knn/index.ts';
import { PopularRecommender, popularDefaults, popularSearchSpace } from './popular/index.ts';
import { Rp3betaRecommender, rp3betaDefaults, rp3betaSearchSpace } from './rp3beta/index.ts';

/** Every model kind with its constructor, artifact loader, defaults and search space: the one place naming them. */
export const MODEL_CATALOG = {
  popular: {
    create: (params: Record<string, unknown>) => new PopularRecommender(params),
    fromArtifact: (a: ModelArtifact) => PopularRecommender.fromArtifact(a),
    defaults: popularDefaults,
    searchSpace: popularSearchSpace as SearchSpace<unknown>,
  },
  'item-knn': {
    create: (params: Record<string, unknown>) => new ItemKnnRecommender(params),
    fromArtifact: (a: ModelArtifact) => ItemKnnRecommender.fromArtifact(a),
    defaults: itemKnnDefaults,
    searchSpace: itemKnnSearchSpace as SearchSpace<unknown>,
  },
  als: {
    create: (params: Record<string, unknown>) => new AlsRecommender(params),
    fromArtifact: (a: ModelArtifact) => AlsRecommender.fromArtifact(a),
    defaults: alsDefaults,
    searchSpace: alsSearchSpace as SearchSpace<unknown>,
  },
  bpr: {
    create: (params: Record<string, unknown>) => new BprRecommender(params),
    fromArtifact: (a: ModelArtifact) => BprRecommender.fromArtifact(a),
    defaults: bprDefaults,
    searchSpace: bprSearchSpace as SearchSpace<unknown>,
  },
  ease: {
    create: (params: Record<string, unknown>) => new EaseRecommender(params),
    fromArtifact: (a: ModelArtifact) => EaseRecommender.fromArtifact(a),
    defaults: easeDefaults,
    searchSpace: easeSearchSpace as SearchSpace<unknown>,
  },
  rp3beta: {
    create: (params: Record<string, unknown>) => new Rp3betaRecommender(params),
    fromArtifact: (a: ModelArtifact) => Rp3betaRecommender.fromArtifact(a),
    defaults: rp3betaDefaults,
    searchSpace: rp3betaSearchSpace as SearchSpace<unknown>,
  },
  'gf-cf': {
    create: (params: Record<string, unknown>) => new GfCfRecommender(params),
    fromArtifact: (a: ModelArtifact) => GfCfRecommender.fromArtifact(a),
    defaults: gfCfDefaults,
    searchSpace: gfCfSearchSpace as SearchSpace<unknown>,
  },
} satisfies Record<ModelKind, unknown>;

export const MODEL_KINDS = Object.keys(MODEL_CATALOG) as ModelKind[];

export function isModelKind(value: string): value is ModelKind {
  return Object.hasOwn(MODEL_CATALOG, value);
}

/** A new, unfitted model of `kind`; params not given take the model's defaults; unknown params are refused. */
export function createRecommender(kind: ModelKind, params: Record<string, unknown> = {}): Recommender {
  const entry = MODEL_CATALOG[kind];
  const unknown = Object.keys(params).filter((p) => !Object.hasOwn(entry.defaults, p));
  if (unknown.length > 0) {
    throw new ValidationError(`${kind} has no parameter(s) ${unknown.join(', ')}; it takes ${Object.keys(entry.defaults).join(', ')}`);
  }
  return entry.create(params);
}

/** `params` completed with the model's defaults: what a run records, so it stays reproducible when defaults change. */
export function resolvedParams(kind: ModelKind, params: Readonly<Record<string, unknown>> = {}): Record<string, unknown> {
  return { ...(MODEL_CATALOG[kind].defaults as object), ...params };
}

/** The fitted model an artifact describes (its header names the kind). */
export function recommenderFromArtifact(artifact: ModelArtifact): Recommender {
  const kind = artifact.header.kind;
  if (!isModelKind(kind)) throw new ValidationError(`model artifact of unknown kind '${String(kind)}'`);
  return MODEL_CATALOG[kind].fromArtifact(artifact);
}
