import { z } from 'zod';
import { durationSeconds } from '../../config/index.ts';
import { parseIsoTimestamp } from '../../preprocess/index.ts';
import { toUtcText, ValidationError } from '../../shared/index.ts';
import { FeedbackStatsRepo, type FeedbackStatsRow } from '../../warehouse/index.ts';
import { defineCommand } from '../command.ts';
import { formatTable } from '../table.ts';

/** `--since`: a duration back from now (7d, 36h, 90m) or an ISO-8601 time; returns warehouse UTC text. */
function sinceText(value: string, now: Date): string {
  const duration = durationSeconds.safeParse(value);
  if (duration.success) return toUtcText(new Date(now.getTime() - duration.data * 1000));
  const at = parseIsoTimestamp(value);
  if (typeof at === 'string') throw new ValidationError(`--since takes a duration back from now (7d, 36h, 90m) or an ISO-8601 time: ${at}`);
  return at.text;
}

const pct = (v: number | null) => (v === null ? '—' : `${(v * 100).toFixed(1)} %`);
const signed = (v: number | null) => (v === null ? '—' : v.toFixed(3));

export const feedbackStatsCommand = defineCommand({
  name: 'feedback stats',
  description: 'Reactions to recommendations: impressions, select rate, cancel rate, net satisfaction, unattributed share',
  options: z.object({
    by: z.enum(['model', 'basis', 'region']).optional().describe("group by the list's model (name and version), its basis, or the user's region"),
    since: z.string().min(1).default('7d').describe('events from this long ago (7d, 36h) or this ISO-8601 time on'),
  }),
  async run(runtime, o): Promise<{ since: string; by: string | null; groups: FeedbackStatsRow[] }> {
    const since = sinceText(o.since, new Date());
    return { since, by: o.by ?? null, groups: await new FeedbackStatsRepo(await runtime.warehouse()).stats({ since, by: o.by }) };
  },
  print(r, io) {
    if (r.groups.length === 0) {
      io.out(`No feedback since ${r.since}: POST /v1/feedback and feedback*.csv landing files record it.`);
      return;
    }
    const name = (g: FeedbackStatsRow) =>
      r.by === null
        ? 'all'
        : g.group === null
          ? r.by === 'model'
            ? '(unattributed)'
            : '(none)'
          : r.by === 'model'
            ? `${g.group} v${g.modelVersion ?? '?'}`
            : g.group;
    const rows = [
      [r.by ?? '', 'events', 'impressions', 'selects', 'cancels', 'select rate', 'cancel rate', 'net satisfaction', 'unattributed'],
      ...r.groups.map((g) => [
        name(g),
        String(g.events),
        String(g.impressions),
        String(g.selects),
        String(g.cancels),
        pct(g.selectRate),
        pct(g.cancelRate),
        signed(g.netSatisfaction),
        pct(g.unattributedShare),
      ]),
    ];
    io.out(`feedback since ${r.since} (UTC)`);
    for (const line of formatTable(rows, { rightFrom: 1 })) io.out(line);
  },
});
