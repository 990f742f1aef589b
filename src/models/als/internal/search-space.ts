/**
 * One tunable hyperparameter's range, as the tuner samples it: `log` ranges are sampled uniformly in
 * log space (regularisation strengths, learning rates, factor counts spanning orders of magnitude).
 */
export type ParamRange =
  | { readonly type: 'int'; readonly min: number; readonly max: number; readonly log: boolean }
  | { readonly type: 'float'; readonly min: number; readonly max: number; readonly log: boolean }
  | { readonly type: 'choice'; readonly values: readonly (string | number)[] };

/** The tunable subset of a model's params, each with its range. */
export type SearchSpace<P> = { readonly [K in keyof P]?: ParamRange };
