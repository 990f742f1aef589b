/** Formats one RFC-4180 CSV line (no trailing newline): fields with commas, quotes or newlines are quoted. */
export function csvLine(fields: readonly (string | number | null | undefined)[]): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const v = fields[i];
    const s = v === null || v === undefined ? '' : String(v);
    if (i > 0) out += ',';
    out += /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  }
  return out;
}
