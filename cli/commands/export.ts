/** Export commands: `rbm export iati --project CODE | --all [--out FILE] [--base-url URL]`. */
import path from 'node:path';
import { Option, type Command } from 'commander';
import { buildIatiExport, exportIatiFile } from '../../app/iati.js';
import { RbmError } from '../../domain/errors.js';
import type { ExportCounts } from '../../iati/activity-input.js';
import { printJson, say } from '../output.js';
import { cliEnv, withDatabase } from '../session.js';
import { fileNameComponent, pathInside } from '../../domain/file-names.js';

interface IatiOptions {
  project?: string;
  all?: boolean;
  out?: string;
  baseUrl?: string;
  json?: boolean;
}

export function registerExportCommands(program: Command): void {
  const exportCommand = program.command('export').description('export results in standard formats');
  exportCommand
    .command('iati')
    .description('write IATI 2.03 activity XML with the results of one project (--project) or all (--all)')
    .option('--project <code>', 'project code, e.g. LY10P0542')
    .option('--all', 'every project, one activity each')
    .option('--out <file>', 'the file to write, "-" for standard output (default: <RBM_OUT_DIR>/iati/<code>.xml or iati-activities.xml)')
    .option('--base-url <url>', 'where the portal serves approved reports, for the document links (default: http://127.0.0.1:<PORT>)')
    .addOption(new Option('--json', 'print the summary as JSON for scripts'))
    .action(async (o: IatiOptions) => {
      if (Boolean(o.project) === Boolean(o.all)) throw new RbmError('invalid_input', 'give either --project CODE or --all');
      const env = cliEnv();
      const baseUrl = checkedBaseUrl(o.baseUrl ?? `http://127.0.0.1:${env.config.port}`);
      const request = { projects: o.all ? ('all' as const) : [o.project!], baseUrl };
      if (o.out === '-') {
        const { xml } = await withDatabase(env, (ctx) => buildIatiExport(ctx, request));
        process.stdout.write(xml);
        return;
      }
      const outFile = o.out ?? pathInside(path.join(env.config.outDir, 'iati'), o.all ? 'iati-activities.xml' : `${fileNameComponent(o.project!)}.xml`);
      const written = await withDatabase(env, (ctx) => exportIatiFile(ctx, { ...request, outFile }));
      if (o.json) return printJson(written);
      say(written.file);
      say(`${summary(written.counts)} (data as of ${written.dataAsOf})`);
    });
}

function checkedBaseUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new RbmError('invalid_input', `--base-url "${text}" is not a URL (e.g. https://rbm.example.org)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new RbmError('invalid_input', `--base-url must be an http or https URL, not "${text}"`);
  return text.replace(/\/+$/, '');
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
function summary(c: ExportCounts): string {
  const parts = [plural(c.activities, 'activity').replace('activitys', 'activities'), plural(c.results, 'result'), plural(c.indicators, 'indicator'), plural(c.periods, 'period'), plural(c.targets, 'target'), plural(c.actuals, 'actual'), plural(c.documentLinks, 'report link')];
  if (c.skippedValues) parts.push(`${plural(c.skippedValues, 'value')} not written (not a reporting period, or no number)`);
  return `IATI 2.03: ${parts.join(', ')}`;
}
