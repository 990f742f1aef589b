/**
 * One tunable hyperparameter's range, as a tuner samples it. `log` ranges are sampled uniformly in log space
 * (regularisation strengths, learning rates, factor counts spanning orders of magnitude).
 */
export type ParamRange =
  | { readonly type: 'int'; readonly min: number; readonly max: number; readonly log: boolean }
  | { readonly type: 'float'; readonly min: number; readonly max: number; readonly log: boolean }
  | { readonly type: 'categorical'; readonly choices: readonly (string | number)[] };

/** The tunable subset of a model's params, each with its range; exported by each model beside its defaults. */
export type SearchSpace<P> = { readonly [K in keyof P]?: ParamRange };
