import { describe, expect, it } from 'vitest';
import { andSteps, readmeBlocks } from './readme-commands.ts';

describe('README command extraction', () => {
  it('takes bash blocks only, joins continued lines, skips comments and blank lines, keeps line numbers', () => {
    const md = [
      '# t',
      '```bash',
      'echo a   # trailing comment stays',
      '',
      '# a comment',
      'curl -X POST x \\',
      "     -d '{}'",
      '```',
      '```yaml',
      'a: 1',
      '```',
      '```sh',
      'ls',
      '```',
    ].join('\n');
    expect(readmeBlocks(md)).toEqual([
      {
        line: 2,
        commands: [
          { line: 3, text: 'echo a   # trailing comment stays' },
          { line: 6, text: "curl -X POST x -d '{}'" },
        ],
      },
      { line: 12, commands: [{ line: 13, text: 'ls' }] },
    ]);
  });

  it('refuses a block that is never closed or ends in a backslash', () => {
    expect(() => readmeBlocks('```bash\necho a\n')).toThrow(/line 1: a code block is never closed/);
    expect(() => readmeBlocks('```bash\necho a \\\n```\n')).toThrow(/line 2: the last line of a block ends in a backslash/);
  });

  it('splits top-level && chains, not the ones inside quotes', () => {
    expect(andSteps('apt-get install -y x && npm ci && npm test')).toEqual(['apt-get install -y x', 'npm ci', 'npm test']);
    expect(andSteps(`echo 'a && b' && ls`)).toEqual([`echo 'a && b'`, 'ls']);
  });
});
