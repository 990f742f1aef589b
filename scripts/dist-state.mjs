// Whether the compiled CLI in dist/ is at least as new as its sources, so it can run instead of the TypeScript
// source (bin/pickwise.js) and need not be rebuilt (scripts/build.mjs, run by `npm ci` through `prepare` and by
// `npx pickwise`, which installs the project into npm's cache the first time).
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function newestMtime(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(full) : statSync(full).mtimeMs);
  }
  return newest;
}

/** The stamp file the build writes last. */
export function builtStamp(root) {
  return join(root, 'dist', '.built');
}

export function distIsFresh(root) {
  const stamp = builtStamp(root);
  if (!existsSync(stamp)) return false;
  const sources = Math.max(newestMtime(join(root, 'src')), ...['tsconfig.json', 'tsconfig.build.json'].map((f) => statSync(join(root, f)).mtimeMs));
  return statSync(stamp).mtimeMs >= sources;
}
