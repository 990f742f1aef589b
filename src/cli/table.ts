/**
 * Rows as lines of columns as wide as their widest cell, two spaces apart (so long ids never run together); the
 * first row is usually a header. Cells pad on the right, except in the columns from `rightFrom` on (numbers),
 * which pad on the left.
 */
export function formatTable(rows: readonly (readonly string[])[], o: { readonly rightFrom?: number } = {}): string[] {
  if (rows.length === 0) return [];
  const rightFrom = o.rightFrom ?? Infinity;
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length)));
  return rows.map((row) =>
    row
      .map((cell, c) => (c >= rightFrom ? cell.padStart(widths[c]!) : cell.padEnd(widths[c]!)))
      .join('  ')
      .trimEnd(),
  );
}
