import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

/**
 * `pickwise@<package version>+<git commit>` (the commit when the code runs from a git checkout): what
 * `pickwise --version` prints and what every tracked run records as its code version.
 */
export function codeVersion(): string {
  if (cached !== undefined) return cached;
  // src/shared/ and dist/shared/ are both two levels below the package root.
  const root = fileURLToPath(new URL('../..', import.meta.url));
  let version = 'pickwise';
  try {
    version = `pickwise@${(JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { version: string }).version}`;
  } catch {
    // not packaged with its package.json
  }
  try {
    const commit = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
    if (/^[0-9a-f]+$/.test(commit)) version += `+${commit}`;
  } catch {
    // not a git checkout, or no git
  }
  return (cached = version);
}
