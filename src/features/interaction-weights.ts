import type { Config } from '../config/index.ts';
import type { ReservationStatus } from '../shared/index.ts';

/**
 * How one reservation becomes an implicit-feedback weight (the confidence a model puts in "this user
 * wants this service"). value = status weight × rating factor × time decay; a user's reservations of the
 * same service add up. A status weight of 0 drops those reservations.
 */
export interface InteractionWeighting {
  /** Default completed 1, reserved 0.5 (an intent not yet fulfilled), canceled 0 (dropped: a cancellation
   * says little about taste and implicit-feedback models cannot learn from negative confidence). */
  readonly status: Readonly<Record<ReservationStatus, number>>;
  /** Rating r (1–5) multiplies the weight by 1 + ratingInfluence·(r − 3)/2; 0 ignores ratings. */
  readonly ratingInfluence: number;
  /** Half-life of a reservation's weight in days, counted back from the newest one; undefined = no decay. */
  readonly halfLifeDays?: number;
}

export const DEFAULT_WEIGHTING: InteractionWeighting = {
  status: { completed: 1, reserved: 0.5, canceled: 0 },
  ratingInfluence: 0.5,
};

const DAY_MS = 86_400_000;

/** The weight of one reservation; `ageMs` is how long before the newest reservation it happened. */
export function interactionWeight(w: InteractionWeighting, status: ReservationStatus, rating: number | null, ageMs: number): number {
  let value = w.status[status];
  if (value === 0) return 0;
  if (rating !== null && w.ratingInfluence !== 0) value *= 1 + (w.ratingInfluence * (rating - 3)) / 2;
  if (w.halfLifeDays !== undefined) value *= Math.pow(0.5, ageMs / (w.halfLifeDays * DAY_MS));
  return value;
}

/** What one stored feedback event of each type adds to its pair's weight (`feedback.weights`; a cancel is at most 0). */
export type FeedbackWeights = Readonly<Config['feedback']['weights']>;

export const FEEDBACK_SIGNAL_TYPES = ['impression', 'select', 'reserve', 'complete', 'cancel'] as const satisfies readonly (keyof FeedbackWeights)[];
export type FeedbackSignalType = (typeof FEEDBACK_SIGNAL_TYPES)[number];

/** The weight of one feedback event; `ageMs` is how long before the newest reservation or event it happened. */
export function feedbackWeight(weights: FeedbackWeights, w: InteractionWeighting, type: FeedbackSignalType, ageMs: number): number {
  let value = weights[type];
  if (value === 0) return 0;
  if (w.halfLifeDays !== undefined) value *= Math.pow(0.5, Math.max(0, ageMs) / (w.halfLifeDays * DAY_MS));
  return value;
}
