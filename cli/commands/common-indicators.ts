/**
 * `rbm common-indicators list [--json]`, `show CODE [--json]` and `import FILE [--dry-run] [--json]`:
 * the mission-wide library of common indicators that project indicators link to for the roll-up.
 *
 * `import` exit codes (as `rbm logframe import`): 0 imported (or, with --dry-run, would be); 2 refused,
 * nothing stored, with every problem listed. `--json` prints {file, imported, dryRun, created, updated,
 * unchanged, entries: [{code, row, outcome}], errors: [{file, row, column, message}]}.
 * `show` exits 4 for an unknown code.
 */
import type { Command } from 'commander';
import { commonIndicatorResults, commonIndicatorShow, commonIndicatorsList, importCommonIndicators, type CommonIndicatorImportReport } from '../../app/common-indicators.js';
import { LIBRARY_COLUMNS, REQUIRED_LIBRARY_COLUMNS } from '../../domain/common-indicators.js';
import { RbmError } from '../../domain/errors.js';
import { describeIssue, printJson, printTable, say } from '../output.js';
import { cliEnv, withDatabase } from '../session.js';

const FILE_HELP = `
The file: CSV (UTF-8, comma-separated) or XLSX (its first worksheet), one common indicator per row,
under a header row with these columns in any order:
  ${LIBRARY_COLUMNS.map((c) => (REQUIRED_LIBRARY_COLUMNS.includes(c) ? `${c} (required)` : c)).join(', ')}
type: count, percentage, ratio, yes_no or qualitative; time_aggregation: sum (default), latest, max or
average; direction: increase (default) or decrease; frameworks: framework node codes separated by ";";
illustrative: yes or no; validation_rule: a rule between common indicators such as
"CI-TRAINED <= CI-ENROLLED" (a data-quality warning in every project that links indicators to every
code it names). An existing code is updated, a new one added; codes the file leaves out are
kept. An entry that project indicators link to cannot change its type.

Example:
  code,title,type,unit,sector,frameworks
  CI-PROT-01,Number of migrants provided with protection assistance,count,people,Protection,UNSDCF-3.1.2; GCM-7
`;

export function registerCommonIndicatorCommands(program: Command): void {
  const ci = program.command('common-indicators').description("the mission's library of common indicators, which project indicators link to so that results roll up across projects");

  ci.command('list')
    .description('the library, with how many project indicators and projects link to each entry')
    .option('--json', 'print JSON for scripts')
    .action(async (o: { json?: boolean }) => {
      const rows = await withDatabase(cliEnv(), commonIndicatorsList);
      if (o.json) return printJson(rows);
      printTable(rows.map((r) => ({ ...r, title: r.illustrative ? `${r.title} (illustrative)` : r.title })), ['code', 'type', 'unit', 'sector', 'linkedIndicators', 'linkedProjects', 'title']);
    });

  ci.command('show')
    .description('one common indicator with the project indicators linked to it and its results across them, quarter by quarter')
    .argument('<code>', 'the common indicator code, e.g. CI-PROT-01')
    .option('--json', 'print JSON for scripts')
    .action(async (code: string, o: { json?: boolean }) => {
      const v = await withDatabase(cliEnv(), async (ctx) => ({ ...(await commonIndicatorShow(ctx, code)), results: await commonIndicatorResults(ctx, code) }));
      if (o.json) return printJson(v);
      say(`${v.code}: ${v.title}${v.illustrative ? ' (illustrative)' : ''}`);
      say(`  ${v.type}${v.unit ? ` (${v.unit})` : ''}, ${v.timeAggregation} over time, ${v.direction === 'increase' ? 'higher' : 'lower'} is better${v.sector ? `; ${v.sector}` : ''}`);
      if (v.frameworkNodes.length) say(`  reports against ${v.frameworkNodes.join(', ')}`);
      if (v.definition) say(`  ${v.definition}`);
      say(`Linked by ${v.linkedIndicators} project indicator${v.linkedIndicators === 1 ? '' : 's'} of ${v.linkedProjects} project${v.linkedProjects === 1 ? '' : 's'}:`);
      printTable(v.indicators, ['projectCode', 'indicatorCode', 'resultCode', 'type', 'unit', 'title']);
      if (!v.results.periods.length) return;
      say('Results across the linked projects (the last quarters reported):');
      printTable(v.results.periods.map(({ period, line }) => ({
        period, actual: line.actual ?? '—', target: line.target ?? '—', percentOfTarget: line.percentOfTarget === null ? '—' : `${line.percentOfTarget}%`,
        status: line.status, reporting: `${line.reporting} of ${line.indicatorCount}`, notes: line.notes.join('; '),
      })), ['period', 'actual', 'target', 'percentOfTarget', 'status', 'reporting', 'notes']);
    });

  ci.command('import')
    .description('create or update common indicators from a CSV or XLSX file; all or nothing: any problem refuses the whole file')
    .argument('[file]', 'the .csv or .xlsx file')
    .option('--dry-run', 'check the file and say what would change, without storing anything')
    .option('--json', 'print the report as JSON for scripts')
    .addHelpText('after', FILE_HELP)
    .action(async (file: string | undefined, o: { json?: boolean; dryRun?: boolean }) => {
      if (!file) throw new RbmError('invalid_input', `give the file to import: rbm common-indicators import FILE (a CSV or XLSX with the header ${LIBRARY_COLUMNS.join(',')})`);
      const report = await withDatabase(cliEnv(), (ctx) => importCommonIndicators(ctx, { path: file, dryRun: o.dryRun }));
      if (o.json) printJson(report);
      else printSummary(report);
      if (report.errors.length) process.exit(2);
    });
}

function printSummary(r: CommonIndicatorImportReport): void {
  if (r.errors.length) {
    say(`${r.file}: refused, nothing imported (${r.errors.length} problem${r.errors.length === 1 ? '' : 's'}):`);
    for (const e of r.errors) say(`  ${describeIssue(e)}`);
    return;
  }
  say(`${r.file}: common indicators ${r.created} new, ${r.updated} updated, ${r.unchanged} unchanged${r.dryRun ? ' (dry run: nothing stored)' : ''}.`);
}
