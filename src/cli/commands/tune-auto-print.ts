import type { AutoTuneSummary } from '../../pipeline/index.ts';
import type { CommandIo } from '../command.ts';
import { formatTable } from '../table.ts';
import { feedbackLine, printTrainSummary } from './train.ts';

/** `1.2e-3`-style short numbers for parameter lists. */
function paramsText(params: Readonly<Record<string, unknown>>): string {
  return Object.entries(params)
    .map(([k, v]) => `${k}=${typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(3)) : String(v)}`)
    .join(' ');
}

/** The per-family table of `tune --algo auto`, popularity beside, then the winner and its final fit. */
export function printAutoTuneSummary(s: AutoTuneSummary, io: CommandIo): void {
  const winner = s.winner?.kind;
  const rows = [['family', 'validation NDCG@10', 'trials (complete/pruned/failed)', 'time', 'rungs', 'best params / why not']];
  for (const f of s.families) {
    const why = f.skipped !== undefined ? `skipped: ${f.skipped}` : f.droppedAfter !== undefined ? `dropped after rung ${f.droppedAfter + 1}; ` : '';
    rows.push([
      `${f.kind}${f.kind === winner ? ' *' : ''}`,
      f.best ? f.best.validationNdcg.toFixed(4) : '-',
      `${f.trials.complete}/${f.trials.pruned}/${f.trials.failed}`,
      `${f.seconds.toFixed(1)} s`,
      String(f.rungs),
      f.skipped !== undefined ? why : `${why}${f.best ? paramsText(f.best.params) : ''}`,
    ]);
  }
  rows.push([`popular (baseline)${winner === 'popular' ? ' *' : ''}`, s.popularity.validationNdcg.toFixed(4), '-', '-', '-', 'defaults']);
  for (const line of formatTable(rows)) io.out(line);
  const lift =
    s.popularity.validationNdcg > 0 && s.winner ? ` (${((s.winner.validationNdcg / s.popularity.validationNdcg - 1) * 100).toFixed(0)} % over popularity)` : '';
  io.out(
    `winner: ${winner ?? 'none'}${s.winner ? `, validation NDCG@10 ${s.winner.validationNdcg.toFixed(4)}${lift}` : ''}; search ${s.searchSeconds.toFixed(1)} s of a ${s.budgetSeconds} s budget`,
  );
  if (s.final) printTrainSummary(s.final, io);
  else io.out(feedbackLine(s.feedback));
}
