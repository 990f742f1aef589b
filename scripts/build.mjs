#!/usr/bin/env node
// Compiles src/ into dist/ (tsc -p tsconfig.build.json) and stamps dist/.built; does nothing when dist/ is already
// newer than every source (`--force` rebuilds anyway), so that `npm ci`, a later `npm install` and the first
// `npx pickwise` (which runs `prepare` again) do not pay for a second compilation.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtStamp, distIsFresh } from './dist-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!process.argv.includes('--force') && distIsFresh(root)) {
  process.exit(0);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
// Files that are not TypeScript but ship with the code (the dashboard's browser scripts and styles) live in folders
// named assets/ and are copied beside the compiled code, where the modules that serve them look for them.
for (const dir of assetFolders(join(root, 'src'))) cpSync(dir, join(root, 'dist', relative(join(root, 'src'), dir)), { recursive: true });
mkdirSync(dirname(builtStamp(root)), { recursive: true });
writeFileSync(builtStamp(root), new Date().toISOString());

function assetFolders(dir) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const full = join(dir, entry.name);
    if (entry.name === 'assets') found.push(full);
    else found.push(...assetFolders(full));
  }
  return found;
}
