import { z } from 'zod';

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400 };
/** A duration written `1d`, `36h`, `90m`, `45s` or as a number of seconds (`86400`); the parsed value is seconds. */
export const durationSeconds = z.union([z.number(), z.string()]).transform((value, ctx) => {
  const match = typeof value === 'number' ? undefined : /^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$/i.exec(value);
  const seconds = typeof value === 'number' ? value : match ? Number(match[1]) * (DURATION_UNITS[(match[2] || 's').toLowerCase()] ?? 1) : Number.NaN;
  if (!Number.isFinite(seconds) || seconds < 0) {
    ctx.addIssue({ code: 'custom', message: `expected a duration such as 1d, 36h, 90m, 45s or a number of seconds, got ${JSON.stringify(value)}` });
    return z.NEVER;
  }
  return seconds;
});
