/** Keys per `in (…)` list: short enough for every database's statement limits, long enough to be few statements. */
export const KEY_CHUNK = 1000;

/** `keys` in slices of at most {@link KEY_CHUNK}, for one `where … in (…)` statement each. */
export function* keyChunks<T>(keys: readonly T[]): Generator<T[]> {
  for (let i = 0; i < keys.length; i += KEY_CHUNK) yield keys.slice(i, i + KEY_CHUNK);
}
