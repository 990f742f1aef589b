import { z } from 'zod';
import type { Config } from '../../config/index.ts';
import type { FeedbackWeights } from '../../features/index.ts';
import { MODEL_KINDS } from '../../models/index.ts';

/** Flags shared by `train` and `evaluate`: the model kind, its hyperparameters, and the hold-out. */
export const modelOptions = {
  algo: z
    .enum(['all', ...MODEL_KINDS] as [string, ...string[]])
    .default('als')
    .describe(`model: ${MODEL_KINDS.join(', ')}; evaluate: all (every model beside popularity)`),
  factors: z.coerce.number().int().positive().optional().describe('als/bpr: latent factors'),
  regularization: z.coerce.number().nonnegative().optional().describe('als/bpr: regularisation strength'),
  alpha: z.coerce
    .number()
    .nonnegative()
    .optional()
    .describe('als: confidence per unit of interaction weight; rp3beta: power of the transition probabilities; gf-cf: weight of the low-pass filter'),
  iterations: z.coerce.number().int().positive().optional().describe('als: iterations; bpr: epochs'),
  learningRate: z.coerce.number().positive().optional().describe('bpr: SGD learning rate'),
  neighbours: z.coerce.number().int().positive().optional().describe('item-knn, rp3beta: neighbours kept per item'),
  weighting: z.enum(['cosine', 'bm25', 'tfidf', 'none']).optional().describe('item-knn: cosine, bm25, tfidf or none'),
  regExponent: z.coerce.number().nonnegative().optional().describe('als: exponent ν of the frequency-scaled regularisation (0: one λ for all rows)'),
  unobservedWeight: z.coerce.number().nonnegative().optional().describe('als: weight α₀ of the absent pairs (1 as implicit)'),
  beta: z.coerce.number().nonnegative().optional().describe('rp3beta: popularity penalty exponent'),
  normalization: z.enum(['none', 'l1']).optional().describe('rp3beta: none, or l1 (each neighbour row sums to 1)'),
  by: z.enum(['count', 'weight']).optional().describe('popular: rank by user count or by total weight'),
  scope: z.enum(['overall', 'region']).optional().describe("popular: one ranking for everyone, or within each user's region"),
  lambda: z.coerce.number().positive().optional().describe('ease: L2 penalty added to the diagonal of XᵀX'),
  maxItems: z.coerce.number().int().positive().optional().describe('ease: largest catalogue it fits (dense in the items)'),
  rank: z.coerce.number().int().positive().optional().describe('gf-cf: singular vectors of the low-pass filter'),
  powerIterations: z.coerce.number().int().nonnegative().optional().describe('gf-cf: power iterations of the randomized SVD'),
  values: z.enum(['binary', 'weighted']).optional().describe('gf-cf: filter 0/1 interactions or their weights'),
  seed: z.coerce.number().int().default(42).describe('random seed'),
  threads: z.coerce.number().int().positive().optional().describe('worker threads (default: all cores)'),
  k: z.coerce.number().int().positive().max(1000).default(10).describe('cut-off of the hold-out metrics'),
  holdout: z.coerce.number().min(0).max(0.9).default(0.2).describe("share of each user's latest reservations held out for evaluation (0: none)"),
  minInteractions: z.coerce.number().int().positive().default(5).describe('users with fewer weighted reservations stay in training only (not evaluated)'),
  noFeedback: z.boolean().optional().describe('learn from reservations only, not from stored feedback events (feedback.learn: false does it always)'),
};

const HYPERPARAMETERS = [
  'factors',
  'regularization',
  'alpha',
  'iterations',
  'learningRate',
  'neighbours',
  'weighting',
  'regExponent',
  'unobservedWeight',
  'beta',
  'normalization',
  'by',
  'scope',
  'lambda',
  'maxItems',
  'rank',
  'powerIterations',
  'values',
] as const;

/** What `train`, `evaluate` and `evaluate --algo all` pass to the train job from their flags, besides the model. */
export function holdoutJobOptions(config: Readonly<Config>, o: z.output<z.ZodObject<typeof modelOptions>>) {
  const feedback = feedbackWeights(config, o);
  return {
    seed: o.seed,
    ...(o.threads ? { threads: o.threads } : {}),
    k: o.k,
    holdout: o.holdout,
    minInteractions: o.minInteractions,
    ...(feedback ? { feedback } : {}),
  };
}

/** The feedback weights a run learns with: the configured ones unless `feedback.learn` is off or `--no-feedback` is given. */
export function feedbackWeights(config: Readonly<Config>, o: { noFeedback?: boolean | undefined }): FeedbackWeights | undefined {
  return config.feedback.learn && o.noFeedback !== true ? config.feedback.weights : undefined;
}

/** The hyperparameters given on the command line (the model fills in its defaults and refuses foreign ones). */
export function hyperparameters(options: Partial<Record<(typeof HYPERPARAMETERS)[number], unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of HYPERPARAMETERS) if (options[name] !== undefined) out[name] = options[name];
  return out;
}
