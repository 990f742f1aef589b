export { csvLine } from '../shared/index.ts';

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * Formats epoch seconds as `2024-03-05T14:22:10Z`. `Date#toISOString` costs ~0.5 µs a call, which is most of the
 * budget for a million rows; rows arrive in time order, so caching the date part makes this several times faster.
 */
export class IsoUtcFormatter {
  #day = Number.NaN;
  #datePart = '';

  format(epochSec: number): string {
    const day = Math.floor(epochSec / 86_400);
    if (day !== this.#day) {
      this.#day = day;
      this.#datePart = new Date(day * 86_400_000).toISOString().slice(0, 11);
    }
    const s = epochSec - day * 86_400;
    return `${this.#datePart}${two(Math.floor(s / 3600))}:${two(Math.floor((s % 3600) / 60))}:${two(s % 60)}Z`;
  }
}
