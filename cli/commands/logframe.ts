/**
 * `rbm logframe export --project CODE [--out FILE]` and `rbm logframe import FILE [--json] [--dry-run]`:
 * a project's results matrix to and from an Excel workbook laid out the way M&E officers keep logframes.
 *
 * `import` exit codes: 0 imported (or, with --dry-run, would be); 2 refused, nothing stored, with every
 * problem listed. `--json` prints {file, imported, dryRun, projectCode, created, results, indicators,
 * targets, warnings, errors}, each problem as {file, sheet, row, column, message}.
 */
import path from 'node:path';
import type { Command } from 'commander';
import { exportLogframeFile, importLogframe, type LogframeImportReport } from '../../app/logframe.js';
import { RbmError } from '../../domain/errors.js';
import { describeIssue, printJson, say } from '../output.js';
import { cliEnv, withDatabase } from '../session.js';
import { fileNameComponent, pathInside } from '../../domain/file-names.js';

export function registerLogframeCommands(program: Command): void {
  const logframe = program.command('logframe').description("a project's results matrix (logframe) as an Excel workbook: export it, edit it, import it");

  logframe
    .command('export')
    .description('write the logframe workbook of a project (Project, Results and Indicators sheets, with instructions)')
    .requiredOption('--project <code>', 'project code, e.g. LY10P0542')
    .option('--out <file>', 'the .xlsx to write (default: <RBM_OUT_DIR>/logframe/<code>.xlsx)')
    .option('--json', 'print the summary as JSON for scripts')
    .action(async (o: { project: string; out?: string; json?: boolean }) => {
      const env = cliEnv();
      const outFile = o.out ?? pathInside(path.join(env.config.outDir, 'logframe'), `${fileNameComponent(o.project)}.xlsx`);
      const written = await withDatabase(env, (ctx) => exportLogframeFile(ctx, { projectCode: o.project, outFile }));
      if (o.json) return printJson(written);
      say(written.file);
      say(`${written.projectCode}: ${written.results} results, ${written.indicators} indicators, ${written.targets} targets`);
    });

  logframe
    .command('import')
    .description('create or update a project from a logframe workbook; all or nothing: any problem refuses the whole workbook')
    .argument('[file]', 'the .xlsx workbook')
    .option('--json', 'print the report as JSON for scripts')
    .option('--dry-run', 'check the workbook and say what would change, without storing anything')
    .action(async (file: string | undefined, o: { json?: boolean; dryRun?: boolean }) => {
      if (!file) throw new RbmError('invalid_input', 'give the workbook to import: rbm logframe import FILE (rbm logframe export --project CODE writes one to start from)');
      const report = await withDatabase(cliEnv(), (ctx) => importLogframe(ctx, { path: file, dryRun: o.dryRun }));
      if (o.json) printJson(report);
      else printSummary(report);
      if (report.errors.length) process.exit(2);
    });
}

function printSummary(r: LogframeImportReport): void {
  if (r.errors.length) {
    say(`${r.file}: refused, nothing imported (${r.errors.length} problem${r.errors.length === 1 ? '' : 's'}):`);
    for (const e of r.errors) say(`  ${describeIssue(e)}`);
    return;
  }
  const verb = r.dryRun ? 'would be' : 'was';
  say(`${r.file}: project ${r.projectCode} ${verb} ${r.created ? 'created' : 'updated'}: results ${r.results.created} new, ${r.results.updated} updated; ` +
    `indicators ${r.indicators.created} new, ${r.indicators.updated} updated; ${r.targets} targets${r.dryRun ? ' (dry run: nothing stored)' : ''}.`);
  if (r.warnings.length) {
    say('Warnings:');
    for (const w of r.warnings) say(`  ${describeIssue(w)}`);
  }
}
