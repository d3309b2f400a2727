/**
 * `rbm values history --project CODE --indicator CODE [--period P] [--json]`: every revision of an
 * indicator's values, per cell (period and disaggregation): the current value, then each earlier
 * revision (superseded: replaced on … by …), with who entered it, when, its source or import file,
 * comment and evidence link. Exit 4 for an unknown project or indicator, 2 for a bad period.
 */
import type { Command } from 'commander';
import { indicatorValues, type IndicatorValuesView } from '../../app/values.js';
import { periodLabel } from '../../domain/periods.js';
import { formatFigure, type RevisionView } from '../../domain/value-history.js';
import { printJson, say } from '../output.js';
import { cliEnv, withDatabase } from '../session.js';

export function registerValueCommands(program: Command): void {
  const values = program.command('values').description("indicator data values and their history of corrections");

  values.command('history')
    .description("every revision of an indicator's values (current and superseded), per period and disaggregation")
    .requiredOption('--project <code>', 'project code, e.g. LY10P0542')
    .requiredOption('--indicator <code>', 'indicator code within the project, e.g. OC1.a')
    .option('--period <period>', 'only this period, e.g. 2025-Q3')
    .option('--json', 'print JSON for scripts')
    .action(async (o: { project: string; indicator: string; period?: string; json?: boolean }) => {
      const view = await withDatabase(cliEnv(), (ctx) => indicatorValues(ctx, { projectCode: o.project, indicatorCode: o.indicator, period: o.period }));
      if (o.json) return printJson(view);
      printHistory(view);
    });
}

const when = (iso: string) => `${iso.slice(0, 19).replace('T', ' ')} UTC`;

function origin(r: RevisionView): string {
  const parts = [r.importFileName ? `file ${r.importFileName} (import ${r.importBatchId})` : null, r.source ? `source: ${r.source}` : null].filter(Boolean);
  return parts.length ? parts.join('; ') : 'no source given';
}

function printRevision(r: RevisionView, indent: string): void {
  const head = r.current ? 'current' : `superseded ${when(r.supersededAt!)}${r.replacedBy ? ` by ${r.replacedBy}` : ''}`;
  say(`${indent}${r.shown}  [${head}]`);
  say(`${indent}  entered by ${r.by} at ${when(r.enteredAt)}; ${origin(r)}`);
  if (r.comment) say(`${indent}  comment: ${r.comment}`);
  if (r.evidenceUrl) say(`${indent}  evidence: ${r.evidenceUrl}`);
  for (const c of r.changes) say(`${indent}  changed ${c.field}: ${c.before || '(empty)'} -> ${c.after || '(empty)'}`);
}

function printHistory(v: IndicatorValuesView): void {
  const i = v.indicator;
  say(`${v.project.code} ${i.code}: ${i.title}`);
  say(`  ${i.type}${i.unit ? ` (${i.unit})` : ''}, ${i.timeAggregation} over time, reported by ${i.reportingFrequency}`);
  if (v.progress) {
    const p = v.progress;
    say(`  ${periodLabel(v.progressPeriod!)}: actual ${formatFigure(p.periodActual, i.type)}, target ${formatFigure(p.periodTarget, i.type)}, ` +
      `${p.percentOfPeriodTarget === null ? 'no % of target' : `${p.percentOfPeriodTarget}% of target`}, ${p.status.replace('_', ' ')}; ` +
      `cumulative ${formatFigure(p.cumulativeActual, i.type)} of ${formatFigure(p.lifeOfProjectTarget, i.type)} (life of project)`);
  }
  say(`${v.revisions} revision${v.revisions === 1 ? '' : 's'} (${v.superseded} superseded) in ${v.cells.length} cell${v.cells.length === 1 ? '' : 's'}${v.period ? ` of ${v.period}` : ''}, as of ${when(v.asOf)}`);
  for (const c of v.cells) {
    say('');
    say(`${c.period} · ${c.cell}`);
    if (c.current) printRevision(c.current, '  ');
    else say('  (no current value: every revision is superseded)');
    for (const r of c.earlier) printRevision(r, '    ');
  }
}
