/**
 * The shell commands of a README: every fenced ```bash block, in order, one entry per command (lines ending in a
 * backslash joined with the next; blank and comment-only lines skipped). Used by the test that runs the README
 * verbatim on a clean home.
 */
export interface ReadmeCommand {
  /** 1-based line of the README where the command starts. */
  readonly line: number;
  readonly text: string;
}

export interface ReadmeBlock {
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly commands: readonly ReadmeCommand[];
}

export function readmeBlocks(markdown: string): ReadmeBlock[] {
  const lines = markdown.split('\n');
  const blocks: ReadmeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!/^```(bash|sh|shell)\s*$/.test(lines[i]!)) continue;
    const start = i;
    const commands: ReadmeCommand[] = [];
    let pending: { line: number; text: string } | undefined;
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) {
      const raw = lines[i]!;
      if (pending === undefined && (raw.trim() === '' || raw.trim().startsWith('#'))) continue;
      const continued = /\\\s*$/.test(raw);
      const piece = continued ? raw.replace(/\s*\\\s*$/, '') : raw;
      pending = pending === undefined ? { line: i + 1, text: piece } : { line: pending.line, text: `${pending.text} ${piece.trim()}` };
      if (!continued) {
        commands.push({ line: pending.line, text: pending.text.trim() });
        pending = undefined;
      }
    }
    if (i >= lines.length) throw new Error(`README line ${start + 1}: a code block is never closed`);
    if (pending !== undefined) throw new Error(`README line ${pending.line}: the last line of a block ends in a backslash`);
    blocks.push({ line: start + 1, commands });
  }
  return blocks;
}

/**
 * Splits `a && b && c` into its steps (only top-level `&&` outside quotes), so that steps a test cannot run
 * (installing packages, the test run itself) are left out by name and the rest runs verbatim.
 */
export function andSteps(command: string): string[] {
  const steps: string[] = [];
  let quote: string | undefined;
  let from = 0;
  for (let i = 0; i < command.length; i++) {
    const c = command[i]!;
    if (quote !== undefined) {
      if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '&' && command[i + 1] === '&') {
      steps.push(command.slice(from, i).trim());
      from = i + 2;
      i++;
    }
  }
  steps.push(command.slice(from).trim());
  return steps.filter((s) => s !== '');
}
