import { ValidationError } from '../../shared/index.ts';

/** The error `fit` rejects with when its `AbortSignal` fires: name 'AbortError', like DOM aborts. */
export function abortError(what: string, signal: AbortSignal): Error {
  const error = new Error(`${what} was aborted`, { cause: signal.reason });
  error.name = 'AbortError';
  return error;
}

/** Fails unless `value` is an integer in [min, max]. */
export function requireInt(name: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/** Fails unless `value` is a finite number in [min, max]. */
export function requireNumber(name: string, value: unknown, min: number, max = Number.MAX_VALUE): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ValidationError(`${name} must be a number in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

/**
 * Fails when a latent dimension exceeds what the matrix can carry: more factors than users or items gives a
 * rank-deficient model that only costs time (the extra dimensions fit noise or stay at their initial values).
 */
export function requireFactorsWithin(name: string, factors: number, shape: { readonly rows: number; readonly cols: number }): void {
  const cap = Math.min(shape.rows, shape.cols);
  if (factors > cap) {
    const side = shape.cols <= shape.rows ? `${shape.cols} items` : `${shape.rows} users`;
    throw new ValidationError(`${name} ${factors} is more than the data's ${side}: ask for at most ${cap} factors`);
  }
}
