/** Report commands: render a preview without a workflow. */
import path from 'node:path';
import type { Command } from 'commander';
import { renderPreview } from '../../app/reports.js';
import { say } from '../output.js';
import { cliEnv, withDatabase } from '../session.js';

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('reports');
  report
    .command('render')
    .description('render a report without a workflow (a preview on the current data)')
    .requiredOption('--project <code>')
    .requiredOption('--period <period>')
    .option('--template <id>')
    .option('--out <dir>', 'output folder', 'out/preview')
    .action(async (o: { project: string; period: string; template?: string; out: string }) => {
      const paths = await withDatabase(cliEnv(), (ctx) => renderPreview(ctx, { projectCode: o.project, period: o.period, templateId: o.template, outDir: path.resolve(o.out) }));
      for (const p of paths) say(p);
    });
}
