/**
 * One tunable hyperparameter's range, as a tuner samples it. `log` ranges are sampled uniformly in log space
 * (regularisation strengths, learning rates, factor counts spanning orders of magnitude).
 */
export type ParamRange =
  | {
      readonly type: 'int';
      readonly min: number;
      readonly max: number;
      readonly log: boolean;
      /** The upper end is at most min(users, items) of the matrix fitted: a factor count the data cannot carry. */
      readonly capByMatrix?: boolean;
    }
  | { readonly type: 'float'; readonly min: number; readonly max: number; readonly log: boolean }
  | { readonly type: 'categorical'; readonly choices: readonly (string | number)[] };

/** The tunable subset of a model's params, each with its range; exported by each model beside its defaults. */
export type SearchSpace<P> = { readonly [K in keyof P]?: ParamRange };

/**
 * `space` narrowed to what a `rows × cols` matrix can carry: ranges marked `capByMatrix` end at min(rows, cols)
 * (and start no higher). Other ranges are returned as they are.
 */
export function fitSpaceToMatrix<S extends Readonly<Record<string, ParamRange | undefined>>>(
  space: S,
  shape: { readonly rows: number; readonly cols: number },
): S {
  const cap = Math.max(1, Math.min(shape.rows, shape.cols));
  const out: Record<string, ParamRange | undefined> = {};
  for (const [name, range] of Object.entries(space)) {
    out[name] = range?.type === 'int' && range.capByMatrix === true && range.max > cap ? { ...range, min: Math.min(range.min, cap), max: cap } : range;
  }
  return out as S;
}
