#!/usr/bin/env node
// Runs the compiled CLI from dist/ (built by `npm ci` through the `prepare` script), or the TypeScript source
// through tsx when dist/ is missing or older than src/ (during development).
import { fileURLToPath } from 'node:url';
import { distIsFresh } from '../scripts/dist-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));

// `npx pickwise …` and `npm run …` start this process under `sh -c`, and a SIGTERM sent to npm ends that shell
// without passing the signal on. A process started that way watches its parent: when the parent is gone, it
// takes the SIGTERM itself, so `serve` still finishes its requests and stops instead of running on orphaned.
// (Started any other way, e.g. `nohup pickwise serve &`, outliving the parent is wanted, and nothing is watched.)
if (process.env.npm_command !== undefined) {
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) {
      clearInterval(watch);
      process.kill(process.pid, 'SIGTERM');
    }
  }, 250);
  watch.unref();
}

let main;
if (distIsFresh(root)) {
  ({ main } = await import('../dist/cli/main.js'));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
