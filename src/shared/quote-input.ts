/** Characters of user input that messages quote at most: enough to recognise it, never a whole payload. */
export const QUOTED_INPUT_CHARS = 40;

/**
 * User input for an error or warning message: single-quoted, cut to {@link QUOTED_INPUT_CHARS} characters
 * (with `…` when cut) and with control characters shown as `?`, so a message never echoes a long or
 * multi-line payload back.
 */
export function quoteInput(text: string, max = QUOTED_INPUT_CHARS): string {
  const chars = Array.from(text);
  const shown = chars
    .slice(0, max)
    .map((c) => (isControl(c) ? '?' : c))
    .join('');
  return `'${shown}${chars.length > max ? '…' : ''}'`;
}

function isControl(c: string): boolean {
  const code = c.codePointAt(0)!;
  return code < 0x20 || code === 0x7f;
}
