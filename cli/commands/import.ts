/**
 * `rbm import FILE`: indicator data from CSV, XLSX or JSON in the long format; and the quarantine of
 * rejected rows (`rbm import quarantine list | resubmit | discard`), and the batches (`rbm import batches`).
 *
 * Exit codes of `rbm import FILE` and of `resubmit`: 0 every row accepted (or unchanged); 3 some rows
 * rejected (kept in the quarantine) and the others stored; 2 nothing imported (unreadable file, wrong
 * header, encoding or delimiter). `--json` prints exactly {accepted, rejected, unchanged, errors, warnings},
 * errors [{file, row, column, message}] (the first 1000; all rejected rows are in the quarantine) and
 * warnings of the same shape (totals that do not add up in warning mode, outliers, validation rules).
 */
import path from 'node:path';
import { Option, type Command } from 'commander';
import {
  discardQuarantinedRows, importBatchesList, importExitCode, importFile, quarantineCount, quarantineList, resubmitQuarantined, type ImportReport,
} from '../../app/imports.js';
import { RbmError } from '../../domain/errors.js';
import { TEXT_ENCODINGS, type TextEncoding } from '../../imports/encoding.js';
import { COLUMNS } from '../../imports/format.js';
import { describeIssue } from '../../imports/issues.js';
import { printJson, printTable, say } from '../output.js';
import { importProgress } from '../progress.js';
import { cliEnv, withDatabase } from '../session.js';

const SHOWN_ERRORS = 10;

export function registerImportCommands(program: Command): void {
  const json = () => new Option('--json', 'print JSON for scripts');
  const as = () => new Option('--as <user>', 'who does it').default('me.officer');

  const imp = program
    .command('import')
    .description('import indicator data (CSV, XLSX or JSON; one row per value: project_code,indicator_code,period,value + optional columns)')
    .argument('[file]', 'the file to import')
    .addOption(json())
    .addOption(as())
    .option('--delimiter <char>', "the CSV delimiter when it is not a comma, e.g. ';' or tab")
    .option('--encoding <name>', `the file's encoding when it is not UTF-8: ${TEXT_ENCODINGS.filter((e) => e !== 'utf-8').join(', ')}`)
    .action(async (file: string | undefined, o: { json?: boolean; as: string; delimiter?: string; encoding?: string }) => {
      if (!file) throw new RbmError('invalid_input', 'give the file to import: rbm import FILE (see rbm import --help)');
      // A large file takes seconds: on a terminal, one updating line with rows read, rate and rejections (stderr).
      const progress = importProgress(process.stderr, { enabled: !o.json, file: path.basename(file) });
      const report = await withDatabase(cliEnv(), (ctx) =>
        importFile(ctx, {
          path: file, importedBy: o.as, delimiter: parseDelimiter(o.delimiter), encoding: parseEncoding(o.encoding), onProgress: progress.onProgress,
        }),
      ).finally(() => progress.done());
      finish(report, o.json);
    });

  const quarantine = imp.command('quarantine').description('rows an import rejected: list them, resubmit them fixed, or discard them');
  quarantine
    .command('list')
    .description('open quarantined rows with their reasons')
    .option('--batch <id>', 'only the rows of this import batch', Number)
    .option('--limit <n>', 'at most this many rows', Number, 200)
    .addOption(json())
    .action(async (o: { batch?: number; limit: number; json?: boolean }) => {
      const { entries, total } = await withDatabase(cliEnv(), async (ctx) => ({
        entries: await quarantineList(ctx, { batchId: o.batch, limit: o.limit }),
        total: await quarantineCount(ctx, { batchId: o.batch }),
      }));
      if (o.json) return printJson(entries);
      if (!entries.length) return say('The quarantine is empty.');
      for (const e of entries) {
        say(`#${e.id}  ${e.file} row ${e.row} (batch ${e.batchId}): ${COLUMNS.filter((c) => e.cells[c]).map((c) => `${c}=${e.cells[c]}`).join(' ')}`);
        for (const r of e.reasons) say(`      ${r.column ? `${r.column}: ` : ''}${r.message}`);
      }
      say(`${total} row${total === 1 ? '' : 's'}${total > entries.length ? ` (the first ${entries.length} shown; --limit for more)` : ''}. ` +
        'Fix and resubmit: rbm import quarantine resubmit ID [ID...] --set column=value; or drop: rbm import quarantine discard ID.');
    });
  quarantine
    .command('resubmit')
    .description('check quarantined rows again, with corrections, and store those that pass')
    .argument('<ids...>', 'quarantine entry ids')
    .option('--set <column=value>', 'a correction applied to the rows (repeatable), e.g. --set value=12', collectSet, {} as Record<string, string>)
    .addOption(as())
    .addOption(json())
    .action(async (ids: string[], o: { set: Record<string, string>; as: string; json?: boolean }) => {
      const report = await withDatabase(cliEnv(), (ctx) => resubmitQuarantined(ctx, { ids: ids.map(parseId), set: o.set, by: o.as }));
      finish(report, o.json);
    });
  quarantine
    .command('discard')
    .description('drop quarantined rows that should not be imported')
    .argument('<ids...>', 'quarantine entry ids')
    .addOption(as())
    .action(async (ids: string[], o: { as: string }) => {
      const done = await withDatabase(cliEnv(), (ctx) => discardQuarantinedRows(ctx, ids.map(parseId), o.as));
      say(`Discarded ${done.map((id) => `#${id}`).join(', ')}.`);
    });

  imp
    .command('batches')
    .description('recent import batches: file, sha256, who, when, counts')
    .addOption(json())
    .action(async (o: { json?: boolean }) => {
      const batches = await withDatabase(cliEnv(), (ctx) => importBatchesList(ctx));
      if (o.json) return printJson(batches);
      printTable(batches.map((b) => ({ ...b, sha256: b.sha256?.slice(0, 12) ?? '' })), ['id', 'startedAt', 'importedBy', 'fileName', 'status', 'accepted', 'rejected', 'unchanged', 'warnings', 'sha256']);
    });
}

/** Prints a report and ends the process with the import's exit code (main.ts would reset it to 0). */
function finish(report: ImportReport, asJson: boolean | undefined): void {
  if (asJson) {
    const { accepted, rejected, unchanged } = report;
    const place = ({ file, row, column, message }: ImportReport['errors'][number]) => ({ file, row, column, message });
    printJson({ accepted, rejected, unchanged, errors: report.errors.map(place), warnings: report.warnings.map(place) });
  } else {
    printSummary(report);
  }
  const code = importExitCode(report);
  if (code !== 0) process.exit(code);
}

function printSummary(r: ImportReport): void {
  if (r.refused) {
    say(`${r.file}: nothing imported.`);
    for (const e of r.errors) say(`  ${describeIssue(e)}`);
    return;
  }
  say(`${r.file}: ${r.accepted} accepted, ${r.rejected} rejected${r.rejected ? ' (kept in the quarantine)' : ''}, ${r.unchanged} unchanged${r.batchId ? ` (batch ${r.batchId})` : ''}.`);
  if (r.errors.length) {
    say(r.errors.length > SHOWN_ERRORS ? `First ${SHOWN_ERRORS} problems:` : 'Problems:');
    for (const e of r.errors.slice(0, SHOWN_ERRORS)) say(`  ${describeIssue(e)}`);
    say(`See every rejected row: rbm import quarantine list${r.batchId && r.file !== 'quarantine' ? ` --batch ${r.batchId}` : ''}; fix one: rbm import quarantine resubmit ID --set column=value`);
  }
  if (r.warnings.length) {
    say('Warnings (stored anyway):');
    for (const w of r.warnings.slice(0, SHOWN_ERRORS)) say(`  ${describeIssue(w)}`);
    if (r.warnings.length > SHOWN_ERRORS) say(`  ... and ${r.warnings.length - SHOWN_ERRORS} more`);
  }
}

function collectSet(pair: string, previous: Record<string, string>): Record<string, string> {
  const eq = pair.indexOf('=');
  if (eq <= 0) throw new RbmError('invalid_input', `--set ${pair}: write column=value, e.g. --set value=12`);
  return { ...previous, [pair.slice(0, eq).trim()]: pair.slice(eq + 1) };
}

function parseId(text: string): number {
  const id = Number(text.replace(/^#/, ''));
  if (!Number.isInteger(id) || id <= 0) throw new RbmError('invalid_input', `"${text}" is not a quarantine entry id (see rbm import quarantine list)`);
  return id;
}

function parseDelimiter(text: string | undefined): string | undefined {
  if (text === undefined) return undefined;
  const named: Record<string, string> = { tab: '\t', '\\t': '\t', semicolon: ';', comma: ',', pipe: '|' };
  const d = named[text.toLowerCase()] ?? text;
  if (d.length !== 1 || d === '"' || d === '\n') throw new RbmError('invalid_input', `--delimiter ${text}: give one character, e.g. ';' or tab`);
  return d;
}

function parseEncoding(text: string | undefined): TextEncoding | undefined {
  if (text === undefined) return undefined;
  const t = text.toLowerCase().replace(/^cp/, 'windows-').replace(/^windows(\d)/, 'windows-$1').replace(/^utf8$/, 'utf-8').replace(/^latin-?1$/, 'iso-8859-1');
  if (!(TEXT_ENCODINGS as readonly string[]).includes(t)) throw new RbmError('invalid_input', `--encoding ${text}: one of ${TEXT_ENCODINGS.join(', ')}`);
  return t as TextEncoding;
}
