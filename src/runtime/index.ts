/** The composition root: configuration in, opened adapters and services out. */
export { createRuntime, type Runtime } from './create-runtime.ts';
