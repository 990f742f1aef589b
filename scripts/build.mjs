#!/usr/bin/env node
// Compiles src/ into dist/ (tsc -p tsconfig.build.json) and stamps dist/.built; does nothing when dist/ is already
// newer than every source (`--force` rebuilds anyway), so that `npm ci`, a later `npm install` and the first
// `npx pickwise` (which runs `prepare` again) do not pay for a second compilation.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { builtStamp, distIsFresh } from './dist-state.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
if (!process.argv.includes('--force') && distIsFresh(root)) {
  process.exit(0);
}
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
mkdirSync(dirname(builtStamp(root)), { recursive: true });
writeFileSync(builtStamp(root), new Date().toISOString());
