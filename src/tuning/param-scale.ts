import type { ParamRange } from '../models/index.ts';
import { ValidationError } from '../shared/index.ts';
import type { ParamValue } from './trial.ts';

/**
 * A numeric parameter in the space samplers work in: logarithmic ranges in log space, integers widened by
 * half a step on each side so that every integer gets an equal share, then rounded back.
 */
export interface NumericScale {
  readonly low: number;
  readonly high: number;
  encode(value: number): number;
  decode(internal: number): number;
}

export function numericScale(name: string, range: Extract<ParamRange, { type: 'int' | 'float' }>): NumericScale {
  const { min, max, log } = range;
  if (!(Number.isFinite(min) && Number.isFinite(max) && min <= max))
    throw new ValidationError(`search space: ${name} needs finite min ≤ max, got [${min}, ${max}]`);
  if (log && min <= 0) throw new ValidationError(`search space: ${name} is logarithmic, so its min must be positive (got ${min})`);
  const int = range.type === 'int';
  if (int && !(Number.isInteger(min) && Number.isInteger(max))) throw new ValidationError(`search space: ${name} is an integer range, got [${min}, ${max}]`);
  const lo = int ? min - 0.5 : min;
  const hi = int ? max + 0.5 : max;
  const encode = log ? Math.log : (x: number) => x;
  const clamp = (x: number): number => Math.min(max, Math.max(min, x));
  return {
    low: encode(lo),
    high: encode(hi),
    encode: (v) => encode(v),
    decode: (y) => clamp(int ? Math.round(log ? Math.exp(y) : y) : log ? Math.exp(y) : y),
  };
}

/** Checks that a value lies in its range (a stored trial's params, for instance). */
export function inRange(range: ParamRange, value: ParamValue): boolean {
  if (range.type === 'categorical') return range.choices.includes(value);
  return typeof value === 'number' && value >= range.min && value <= range.max && (range.type === 'float' || Number.isInteger(value));
}
