import { availableParallelism } from 'node:os';
import { ValidationError } from '../../shared/index.ts';

/** Below this many non-zeros a fit runs on the calling thread: starting workers would cost more than they save. */
export const MIN_NNZ_FOR_THREADS = 20_000;

/** Threads for a fit: the request (default: available cores), 1 for small matrices, never more than `maxUseful`. */
export function resolveThreads(requested: number | undefined, nnz: number, maxUseful: number): number {
  const wanted = requested ?? availableParallelism();
  if (!Number.isInteger(wanted) || wanted < 1) throw new ValidationError(`threads must be a positive integer, got ${String(requested)}`);
  if (nnz < MIN_NNZ_FOR_THREADS) return 1;
  return Math.max(1, Math.min(wanted, maxUseful));
}

/** Lets timers and abort events run between iterations of a fit that computes on the calling thread. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** A typed array of `length`, in SharedArrayBuffer memory when worker threads will read it. */
export function allocate<A extends Float32Array | Float64Array | Int32Array>(
  Ctor: { new (length: number): A; new (buffer: SharedArrayBuffer): A; readonly BYTES_PER_ELEMENT: number },
  length: number,
  shared: boolean,
): A {
  return shared ? new Ctor(new SharedArrayBuffer(length * Ctor.BYTES_PER_ELEMENT)) : new Ctor(length);
}

/** `array` itself, or a copy in SharedArrayBuffer memory when `shared`. */
export function maybeShared<A extends Float32Array | Int32Array>(array: A, shared: boolean): A {
  if (!shared) return array;
  const Ctor = array.constructor as new (buffer: SharedArrayBuffer) => A;
  const copy = new Ctor(new SharedArrayBuffer(array.byteLength));
  copy.set(array as never);
  return copy;
}

/** A plain (non-shared) copy, so that a fitted model holds ordinary arrays. */
export function unshare(array: Float32Array): Float32Array {
  return array.buffer instanceof SharedArrayBuffer ? new Float32Array(array) : array;
}
