/**
 * Rows as lines of columns as wide as their widest cell, two spaces apart: the first row is usually a header.
 * `align` says per column whether cells pad on the right (left-aligned, default) or on the left (numbers).
 */
export function formatTable(rows: readonly (readonly string[])[], align: readonly ('left' | 'right')[] = []): string[] {
  if (rows.length === 0) return [];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, c) => (align[c] === 'right' ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}
