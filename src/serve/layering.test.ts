import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Every `from '…'` of the TypeScript files under `dir`, resolved to a path inside src/ (relative ones only). */
function importsUnder(dir: string): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  for (const entry of readdirSync(path.join(SRC, dir), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const file = path.join(entry.parentPath, entry.name);
    for (const m of readFileSync(file, 'utf8').matchAll(/from '(\.[^']+)'/g)) out.push({ file: path.relative(SRC, file), target: path.relative(SRC, path.resolve(path.dirname(file), m[1]!)) });
  }
  return out;
}

describe('layer rules of the recommendation side', () => {
  it('serve/ is a top-level peer of pipeline/: it imports stage folders, never pipeline/ or cli/', () => {
    expect(importsUnder('serve').filter((i) => /^(pipeline|cli)\//.test(i.target))).toEqual([]);
  });

  it('registry/, which the CLI, the batch job and the API share, imports neither pipeline/ nor serve/', () => {
    expect(importsUnder('registry').filter((i) => /^(pipeline|serve|cli)\//.test(i.target))).toEqual([]);
  });
});
