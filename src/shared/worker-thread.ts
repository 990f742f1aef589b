import { Worker, type WorkerOptions } from 'node:worker_threads';

const BOOT = new URL('./worker-boot.mjs', import.meta.url);

/**
 * Starts the worker module `name` that sits beside `moduleUrl` (pass `import.meta.url`): compiled
 * (`dist/*.js`) it runs `name.js` directly; from source (`*.ts`, under tsx or vitest) it runs through a boot
 * file that registers the TypeScript loader first. `workerData` must be an object (or absent).
 */
export function startWorker(moduleUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (moduleUrl.endsWith('.js')) return new Worker(new URL(`./${name}.js`, moduleUrl), options);
  const entry = new URL(`./${name}.ts`, moduleUrl).href;
  return new Worker(BOOT, { ...options, workerData: { ...(options.workerData as object | undefined), pickwiseWorkerEntry: entry } });
}
