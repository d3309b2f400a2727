/** Report commands: render a preview without a workflow; write a cycle's narrative. */
import fs from 'node:fs';
import path from 'node:path';
import type { Command } from 'commander';
import { renderPreview, writeNarrative } from '../../app/reports.js';
import { RbmError } from '../../domain/errors.js';
import { say } from '../output.js';
import { withStatus } from '../progress.js';
import { cliEnv, withDatabase } from '../session.js';

export function registerReportCommands(program: Command): void {
  const report = program.command('report').description('reports');
  report
    .command('render')
    .description('render a report without a workflow (a preview on the current data); the mission overview takes no --project')
    .option('--project <code>', 'the project (every project for a mission-scope template such as mission-overview)')
    .requiredOption('--period <period>')
    .option('--template <id>')
    .option('--out <dir>', 'output folder', 'out/preview')
    .action(async (o: { project?: string; period: string; template?: string; out: string }) => {
      const what = `Rendering ${o.template ?? 'the report'} for ${o.project ?? 'the mission'}, ${o.period} (Excel and PDF)`;
      const paths = await withStatus(process.stderr, what, () =>
        withDatabase(cliEnv(), (ctx) => renderPreview(ctx, { projectCode: o.project, period: o.period, templateId: o.template, outDir: path.resolve(o.out) })),
      );
      for (const p of paths) say(p);
    });
  report
    .command('narrative')
    .description('write the narrative of one section of a report cycle ("summary", "challenges", "indicator:CODE" for a logframe comment)')
    .requiredOption('--project <code>')
    .requiredOption('--period <period>')
    .option('--template <id>')
    .requiredOption('--section <key>')
    .option('--text <text>', 'the text (plain text; printed as typed)')
    .option('--file <path>', 'read the text from a UTF-8 file')
    .requiredOption('--as <user>')
    .action(async (o: { project: string; period: string; template?: string; section: string; text?: string; file?: string; as: string }) => {
      if ((o.text === undefined) === (o.file === undefined)) throw new RbmError('invalid_input', 'give either --text or --file');
      const text = o.text ?? fs.readFileSync(o.file!, 'utf8');
      const r = await withDatabase(cliEnv(), (ctx) => writeNarrative(ctx, { projectCode: o.project, period: o.period, templateId: o.template, sectionKey: o.section, text, by: o.as }));
      say(`${r.cycleId} ${o.section}: ${r.outcome}`);
    });
}
