/**
 * Why a recommendation list is not what was asked for, said beside the list instead of answering with an
 * empty or popular list as if all were fine. Codes are stable; messages are for people.
 */
export const WarningCode = {
  /** The category filter names no category the warehouse knows (a typo, usually). */
  UNKNOWN_CATEGORY: 'UNKNOWN_CATEGORY',
  /** The region filter names no region the warehouse knows. */
  UNKNOWN_REGION: 'UNKNOWN_REGION',
  /** The filters are known, but no service the model knows matches them (all together). */
  NO_MATCHING_SERVICE: 'NO_MATCHING_SERVICE',
  /** Services match, but the user has reserved every one of them already. */
  NOTHING_LEFT: 'NOTHING_LEFT',
  /** Services in a fold-in request that the model does not know (newer than it, or mistyped): they were ignored. */
  UNKNOWN_SERVICE: 'UNKNOWN_SERVICE',
  /** The model cannot place a new user from their history: the list is the most popular services. */
  FOLD_IN_UNSUPPORTED: 'FOLD_IN_UNSUPPORTED',
  /** The warehouse could not be asked for the user's region: the overall popular list stands in for the regional one. */
  REGION_UNAVAILABLE: 'REGION_UNAVAILABLE',
  /** Names, categories and regions are as last read: the warehouse could not be read since (or never was). */
  CATALOG_STALE: 'CATALOG_STALE',
  /** The reservations loaded since the model was trained could not be read: the list is as trained. */
  HISTORY_STALE: 'HISTORY_STALE',
} as const;
export type WarningCode = (typeof WarningCode)[keyof typeof WarningCode];

export interface RecommendationWarning {
  readonly code: WarningCode;
  readonly message: string;
}
